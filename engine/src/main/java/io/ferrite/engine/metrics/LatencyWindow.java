package io.ferrite.engine.metrics;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.function.Supplier;

/**
 * Latency percentiles over a sliding window: every {@link #sample()} (once a second, say) takes the
 * interval histograms of one or more {@link LatencyRecorder}s (several event loops' make one
 * figure), keeps the newest {@code intervals} of them, and answers percentiles over their sum.
 *
 * <p>Thread-safety: thread-safe (synchronized); control path. A sample reuses the window's
 * histograms: it allocates nothing but what the recorders' supplier returns.
 */
public final class LatencyWindow {
    private static final long HIGHEST_TRACKABLE = 3_600_000_000_000L;
    private final Supplier<List<LatencyRecorder>> recorders;
    /** The window's intervals, reused round-robin: a sample allocates no histogram. */
    private final Histogram[] window;
    private int next;
    private final Histogram sum = new Histogram(HIGHEST_TRACKABLE, 3);
    private long totalCount;
    private double totalSeconds;

    /**
     * @param recorders the recorders to read (asked at each sample, so recorders that appear later,
     *                  such as a new event loop's, are included)
     * @param intervals how many samples the window holds
     */
    public LatencyWindow(Supplier<List<LatencyRecorder>> recorders, int intervals) {
        if (intervals < 1) {
            throw new IllegalArgumentException("intervals must be at least 1, was " + intervals);
        }
        this.recorders = recorders;
        this.window = new Histogram[intervals];
        for (int i = 0; i < intervals; i++) {
            window[i] = new Histogram(HIGHEST_TRACKABLE, 3);
        }
    }

    /** Takes the recorders' intervals and slides the window by one. */
    public synchronized void sample() {
        Histogram interval = window[next];
        next = (next + 1) % window.length;
        sum.subtract(interval); // the oldest interval leaves the window
        interval.reset();
        for (LatencyRecorder recorder : recorders.get()) {
            recorder.takeIntervalInto(interval);
        }
        totalCount += interval.getTotalCount();
        totalSeconds += interval.getTotalCount() == 0 ? 0 : interval.getMean() * interval.getTotalCount() / 1e9;
        sum.add(interval);
    }

    /** Adds the newest interval (the last {@link #sample()}'s) into {@code target}, e.g. a report's span. */
    public synchronized void addNewestTo(Histogram target) {
        target.add(window[(next + window.length - 1) % window.length]);
    }

    /** Empties the window (the all-time count and sum stay). */
    public synchronized void reset() {
        for (Histogram interval : window) {
            interval.reset();
        }
        sum.reset();
    }

    /** The value at {@code percentile} (0..100) over the window, in nanoseconds; 0 when it is empty. */
    public synchronized long percentileNanos(double percentile) {
        return sum.getTotalCount() == 0 ? 0 : sum.getValueAtPercentile(percentile);
    }

    public synchronized long maxNanos() {
        return sum.getTotalCount() == 0 ? 0 : sum.getMaxValue();
    }

    /** Values in the window. */
    public synchronized long windowCount() {
        return sum.getTotalCount();
    }

    /** Values ever sampled (for a Prometheus summary's count). */
    public synchronized long totalCount() {
        return totalCount;
    }

    /** Their sum in seconds (for a Prometheus summary's sum; from each interval's mean). */
    public synchronized double totalSeconds() {
        return totalSeconds;
    }
}
