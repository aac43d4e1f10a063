package io.ferrite.bench.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What a benchmark consumer has handled: a count and the sum of the sequence numbers it saw.
 * The publisher spins on {@link #count()} to know when a batch is through.
 *
 * <p>Both longs live in the middle of a 24-long array, at least 64 bytes from either end, so the
 * cache line the publisher polls holds nothing that anyone else writes (the only padding of the
 * package).
 *
 * <p>Thread-safety: single writer (the consumer thread that owns it); {@link #count()} from any
 * thread, {@link #sum()} after the count has been seen with acquire (see the package documentation).
 */
public final class HandledCounter {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int COUNT = 8;
    private static final int SUM = 9;

    private final long[] values = new long[24];

    /** Owner only: one more event handled, carrying {@code sequence}; publishes with a release store. */
    public void handled(long sequence) {
        values[SUM] += sequence;
        LONGS.setRelease(values, COUNT, values[COUNT] + 1);
    }

    /** Any thread: events handled so far (acquire load). */
    public long count() {
        return (long) LONGS.getAcquire(values, COUNT);
    }

    /** Sum of the sequence numbers handled; read it after {@link #count()} has shown them all. */
    public long sum() {
        return values[SUM];
    }

    /** The checksum {@link #sum()} must equal after sequences {@code 0 .. count - 1}. */
    public static long expectedSum(long count) {
        return count * (count - 1) / 2;
    }

    /** Throws if this consumer did not handle exactly {@code published} events with the right checksum. */
    public void verify(String who, long published) {
        long handled = count();
        if (handled != published || sum() != expectedSum(published)) {
            throw new IllegalStateException(who + " handled " + handled + " events with checksum " + sum()
                + ", expected " + published + " with checksum " + expectedSum(published));
        }
    }
}
