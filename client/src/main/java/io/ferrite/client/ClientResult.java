package io.ferrite.client;

/**
 * The negative codes {@link FerriteClient#publish} and {@link FerriteClient#flush()} return in
 * place of a correlationId. Data-path results are values, never exceptions.
 *
 * <p>Thread-safety: constants only.
 */
public final class ClientResult {
    /** flush: every published byte was handed to the socket. */
    public static final int OK = 0;
    /** publish: the un-ACKed window (bytes or events) is full; flush, wait for ACKs, retry. Nothing was queued. */
    public static final long BACK_PRESSURED = -1;
    /** The client is closed, or gave up after an ERROR the server will not take back. Nothing was queued. */
    public static final long CLOSED = -2;
    /** publish: priority outside 0..255, or a frame longer than the window or the server's maxFrameLength. */
    public static final long INVALID_ARGUMENT = -3;
    /** flush: no connection right now; the frames wait in the window and go out after the reconnect. */
    public static final int DISCONNECTED = -4;

    private ClientResult() {
    }

    /** A readable name for a result, e.g. for logs. */
    public static String describe(long result) {
        if (result > 0) {
            return "correlationId " + result;
        }
        return switch ((int) result) {
            case 0 -> "OK";
            case -1 -> "BACK_PRESSURED";
            case -2 -> "CLOSED";
            case -3 -> "INVALID_ARGUMENT";
            case -4 -> "DISCONNECTED";
            default -> "UNKNOWN(" + result + ")";
        };
    }
}
