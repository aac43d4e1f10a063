package io.ferrite.transport.protocol;

/**
 * The u16 codes shared by REJECT and ERROR frames (PROTOCOL.md, "Codes").
 *
 * <p>Thread-safety: immutable.
 */
public enum ErrorCode {
    MALFORMED_FRAME(1),
    FRAME_TOO_LARGE(2),
    UNSUPPORTED_VERSION(3),
    UNAUTHORIZED(4),
    PROTOCOL_VIOLATION(5),
    OVERLOADED(6),
    INVALID_EVENT(7),
    SHUTTING_DOWN(8),
    JOURNAL_UNAVAILABLE(9);

    private static final ErrorCode[] BY_CODE = new ErrorCode[10];

    static {
        for (ErrorCode code : values()) {
            BY_CODE[code.code] = code;
        }
    }

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The code with this number, or null for a number FWP/1 does not define. */
    public static ErrorCode of(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
