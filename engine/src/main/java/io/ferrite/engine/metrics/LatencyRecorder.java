package io.ferrite.engine.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * A latency on HdrHistogram, in nanoseconds, with one writer: a stage's publish-to-handled, or an
 * event loop's read-to-ACK.
 *
 * <p>The stage records a whole batch inside one writer critical section of a
 * {@link WriterReaderPhaser}: {@link #beginBatch()}, any number of {@link #record} calls into a
 * plain single-writer {@link Histogram}, {@link #endBatch()}. That is two atomic operations per
 * batch instead of two per value (HdrHistogram's {@code SingleWriterRecorder} pays them per value,
 * which was a fifth of a stage's time in the MEMORY benchmark). {@link #snapshot} swaps the active
 * histogram with a spare, waits for the batch in progress to end, and accumulates.
 *
 * <p>Thread-safety: {@link #beginBatch}, {@link #record}, {@link #endBatch} from the owning thread
 * only, never allocating; {@link #snapshot} and {@link #takeInterval} from any thread (synchronized;
 * they allocate).
 */
public final class LatencyRecorder {
    /** One hour in nanoseconds: anything longer is clamped, not dropped. */
    private static final long HIGHEST_TRACKABLE = 3_600_000_000_000L;
    private static final int SIGNIFICANT_DIGITS = 3;

    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private final Histogram total = new Histogram(HIGHEST_TRACKABLE, SIGNIFICANT_DIGITS);
    /** What was recorded since the last {@link #takeInterval()}. */
    private final Histogram sinceInterval = new Histogram(HIGHEST_TRACKABLE, SIGNIFICANT_DIGITS);
    private volatile Histogram active = new Histogram(HIGHEST_TRACKABLE, SIGNIFICANT_DIGITS);
    private Histogram spare = new Histogram(HIGHEST_TRACKABLE, SIGNIFICANT_DIGITS);

    /** Writer state: the histogram of the open batch, and the phaser's token for it. */
    private Histogram batch;
    private long batchToken;

    /** Writer thread: opens a batch; pair with {@link #endBatch()}. */
    public void beginBatch() {
        batchToken = phaser.writerCriticalSectionEnter();
        batch = active;
    }

    /** Writer thread, inside a batch: records one latency; negative values (clock oddities) count as 0. */
    public void record(long nanos) {
        batch.recordValue(Math.min(Math.max(nanos, 0), HIGHEST_TRACKABLE));
    }

    /** Writer thread: closes the batch opened by {@link #beginBatch()}. */
    public void endBatch() {
        batch = null;
        phaser.writerCriticalSectionExit(batchToken);
    }

    /** Everything recorded since the engine started, as a copy. */
    public synchronized Histogram snapshot() {
        flip();
        return total.copy();
    }

    /**
     * What was recorded since the previous call (the first call: since the start), as a copy: the
     * interval histograms a sliding window is made of. Independent of {@link #snapshot()}.
     */
    public synchronized Histogram takeInterval() {
        Histogram interval = new Histogram(HIGHEST_TRACKABLE, SIGNIFICANT_DIGITS);
        takeIntervalInto(interval);
        return interval;
    }

    /** As {@link #takeInterval()}, adding into {@code target} instead of allocating a copy. */
    public synchronized void takeIntervalInto(Histogram target) {
        flip();
        target.add(sinceInterval);
        sinceInterval.reset();
    }

    private void flip() {
        phaser.readerLock();
        try {
            spare.reset();
            Histogram filled = active;
            active = spare;
            phaser.flipPhase(); // returns once a batch that might still write to `filled` has ended
            total.add(filled);
            sinceInterval.add(filled);
            spare = filled;
        } finally {
            phaser.readerUnlock();
        }
    }
}
