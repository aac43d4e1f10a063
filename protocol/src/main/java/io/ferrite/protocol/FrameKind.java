package io.ferrite.protocol;

/**
 * The u16 frame kinds of FWP/1, and which way each travels.
 *
 * <p>Thread-safety: constants only.
 */
public final class FrameKind {
    /** client → server: version, token, client name. */
    public static final int HELLO = 0x0001;
    /** server → client: version, maxFrameLength, instanceId. */
    public static final int WELCOME = 0x0002;
    /** client → server: one event. */
    public static final int EVENT = 0x0010;
    /** server → client: cumulative acknowledgement. */
    public static final int ACK = 0x0011;
    /** server → client: one event refused, the connection stays. */
    public static final int REJECT = 0x0012;
    /** server → client: the connection ends. */
    public static final int ERROR = 0x0013;
    /** either way: asks for a PONG. */
    public static final int PING = 0x0020;
    /** either way: echoes a PING's nonce. */
    public static final int PONG = 0x0021;

    private FrameKind() {
    }

    /** A readable name, e.g. for error messages: "EVENT", or "0x0099" for an unknown kind. */
    public static String name(int kind) {
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
