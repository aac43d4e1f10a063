package io.ferrite.transport.protocol;

import io.ferrite.offheap.EventFlyweight;

/**
 * FWP/1 framing: every frame is {@code u32 length | u16 kind | u16 flags | body}, little-endian,
 * where length counts kind + flags + body.
 *
 * <pre>
 *  0        4      6      8
 *  +--------+------+------+---------------------------
 *  | length | kind | flags| body (length - 4 bytes)
 *  +--------+------+------+---------------------------
 * </pre>
 *
 * <p>Thread-safety: constants only.
 */
public final class Frames {
    public static final int LENGTH_OFFSET = 0;
    public static final int KIND_OFFSET = 4;
    public static final int FLAGS_OFFSET = 6;
    public static final int BODY_OFFSET = 8;
    /** Bytes of the length field itself. */
    public static final int LENGTH_FIELD_SIZE = 4;
    /** The smallest legal length value: kind + flags. */
    public static final int MIN_LENGTH = 4;
    /** The default and the usual maximum of the length value. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 1 << 20;

    public static final int HELLO = 0x0001;
    public static final int WELCOME = 0x0002;
    public static final int EVENT = 0x0010;
    public static final int ACK = 0x0011;
    public static final int REJECT = 0x0012;
    public static final int ERROR = 0x0013;
    public static final int PING = 0x0020;
    public static final int PONG = 0x0021;

    /** The protocol version this code speaks. */
    public static final int VERSION = 1;

    /** EVENT body bytes before the payload (see {@link EventFlyweight}). */
    public static final int EVENT_HEADER_LENGTH = EventFlyweight.HEADER_LENGTH;
    /** Fixed body sizes. */
    public static final int HELLO_MIN_BODY = 2 + 2 + 4 + 4;
    public static final int WELCOME_BODY = 2 + 2 + 4 + 8;
    public static final int ACK_BODY = 8 + 8;
    public static final int PING_BODY = 8;
    public static final int REJECT_MIN_BODY = 8 + 2 + 2 + 4;
    public static final int ERROR_MIN_BODY = 2 + 2 + 4;

    private Frames() {
    }

    /** A readable name for a kind, e.g. for error messages. */
    public static String kindName(int kind) {
        return switch (kind) {
            case HELLO -> "HELLO";
            case WELCOME -> "WELCOME";
            case EVENT -> "EVENT";
            case ACK -> "ACK";
            case REJECT -> "REJECT";
            case ERROR -> "ERROR";
            case PING -> "PING";
            case PONG -> "PONG";
            default -> String.format("0x%04x", kind);
        };
    }
}
