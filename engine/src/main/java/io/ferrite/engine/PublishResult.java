package io.ferrite.engine;

/**
 * The values {@link Engine#publish} returns: a journal index (≥ 0) on success, or one of the
 * negative codes here. Data-path results are values, never exceptions.
 *
 * <p>Thread-safety: constants only.
 */
public final class PublishResult {
    /** The stages are too far behind (or the ring is full): retry later. Nothing was journaled. */
    public static final long BACK_PRESSURED = -1;
    /** The engine is closing or closed. Nothing was journaled. */
    public static final long CLOSED = -2;
    /** The event breaks a rule (priority above 3, payload too long). Nothing was journaled. */
    public static final long REJECTED = -3;
    /** The journal could not be written (disk full, I/O error). Nothing was journaled. */
    public static final long JOURNAL_UNAVAILABLE = -4;
    /** A blocking publish gave up waiting out back pressure. Nothing was journaled. */
    public static final long TIMED_OUT = -5;

    private PublishResult() {
    }

    /** True for a journal index, false for a negative code. */
    public static boolean isIndex(long result) {
        return result >= 0;
    }

    /** A readable name for a result, e.g. for logs. */
    public static String describe(long result) {
        if (result >= 0) {
            return "index " + result;
        }
        return switch ((int) result) {
            case -1 -> "BACK_PRESSURED";
            case -2 -> "CLOSED";
            case -3 -> "REJECTED";
            case -4 -> "JOURNAL_UNAVAILABLE";
            case -5 -> "TIMED_OUT";
            default -> "UNKNOWN(" + result + ")";
        };
    }
}
