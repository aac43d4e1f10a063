package io.ferrite.protocol;

/**
 * Why a frame breaks FWP/1, and the code to answer it with (an ERROR, which ends the connection,
 * unless the code is one a REJECT carries). Made only when a frame is refused: control path.
 *
 * <p>Thread-safety: immutable.
 */
public record Violation(ErrorCode code, String message) {
}
