package io.ferrite.engine.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Publish-to-handled latency of one stage, in nanoseconds, on an HdrHistogram
 * {@link SingleWriterRecorder}: {@link #record} does not allocate; {@link #snapshot} swaps
 * interval histograms and accumulates them (control path, allocates).
 *
 * <p>Thread-safety: {@link #record} from the owning stage thread only; {@link #snapshot} from any
 * one thread at a time (it is synchronized).
 */
public final class LatencyRecorder {
    /** One hour in nanoseconds: anything longer is clamped, not dropped. */
    private static final long HIGHEST_TRACKABLE = 3_600_000_000_000L;

    private final SingleWriterRecorder recorder = new SingleWriterRecorder(HIGHEST_TRACKABLE, 3);
    private final Histogram total = new Histogram(HIGHEST_TRACKABLE, 3);
    private Histogram interval;

    /** Stage thread: records one latency; negative values (clock oddities) count as 0. */
    public void record(long nanos) {
        recorder.recordValue(Math.min(Math.max(nanos, 0), HIGHEST_TRACKABLE));
    }

    /** Everything recorded since the engine started, as a copy. */
    public synchronized Histogram snapshot() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return total.copy();
    }
}
