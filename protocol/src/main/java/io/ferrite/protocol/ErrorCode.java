package io.ferrite.protocol;

/**
 * The u16 codes shared by REJECT and ERROR frames. A REJECT refuses one event and keeps the
 * connection; an ERROR ends it. A peer treats a number it does not know as an error of the
 * frame's kind ({@link #of} answers null for it).
 *
 * <p>Thread-safety: immutable.
 */
public enum ErrorCode {
    /** ERROR: length below 4, a body shorter than its kind needs, or bad UTF-8. */
    MALFORMED_FRAME(1),
    /** ERROR: length above the server's maxFrameLength, sent before the body is read. */
    FRAME_TOO_LARGE(2),
    /** ERROR: HELLO with a version the server does not speak. */
    UNSUPPORTED_VERSION(3),
    /** ERROR: a missing or wrong token. */
    UNAUTHORIZED(4),
    /** ERROR: a frame before HELLO, a second HELLO, an unknown kind, non-zero flags or reserved bytes,
     * a correlationId that does not increase, or no HELLO within the handshake timeout. */
    PROTOCOL_VIOLATION(5),
    /** REJECT: the engine is full and its back-pressure policy is reject. */
    OVERLOADED(6),
    /** REJECT: priority above 3, or an event the engine's rules refuse. */
    INVALID_EVENT(7),
    /** REJECT or ERROR: the engine is stopping. */
    SHUTTING_DOWN(8),
    /** REJECT: the journal cannot be written (disk full, I/O error); nothing unwritten is acknowledged. */
    JOURNAL_UNAVAILABLE(9),
    /** ERROR: the client stopped reading what the server sends (its ACKs backed up past the server's limit). */
    SLOW_CONSUMER(10),
    /** ERROR, instead of WELCOME: the server already holds its maximum number of connections. */
    CONNECTION_LIMIT(11);

    private static final ErrorCode[] BY_CODE = new ErrorCode[12];

    static {
        for (ErrorCode code : values()) {
            BY_CODE[code.code] = code;
        }
    }

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /** The number on the wire. */
    public int code() {
        return code;
    }

    /** The code with this number, or null for a number FWP/1 does not define. */
    public static ErrorCode of(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
