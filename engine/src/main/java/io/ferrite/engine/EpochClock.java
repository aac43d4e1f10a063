package io.ferrite.engine;

/**
 * Epoch nanoseconds without allocating: the wall clock read once at class load, advanced by
 * {@link System#nanoTime()}. Monotonic within a process; may drift from the wall clock over days.
 *
 * <p>Thread-safety: stateless after class initialisation.
 */
public final class EpochClock {
    private static final long BASE_EPOCH_NANOS;
    private static final long BASE_NANO_TIME;

    static {
        java.time.Instant now = java.time.Instant.now();
        BASE_NANO_TIME = System.nanoTime();
        BASE_EPOCH_NANOS = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private EpochClock() {
    }

    public static long epochNanos() {
        return epochNanos(System.nanoTime());
    }

    /** The epoch time of a {@link System#nanoTime()} reading the caller already has. */
    public static long epochNanos(long nanoTime) {
        return BASE_EPOCH_NANOS + (nanoTime - BASE_NANO_TIME);
    }
}
