package io.ferrite.bench.suite;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.List;

/**
 * Latency percentiles of one trial in microseconds, and the percentile curve the latency plot
 * draws and results.json keeps ({@code curve}: pairs of percentile (0..100) and microseconds,
 * ascending, from HdrHistogram's percentile iteration over the whole distribution).
 *
 * <p>Thread-safety: immutable once built (the curve list is not copied: do not change it).
 */
public record LatencySummary(double p50, double p99, double p999, double p9999, double max, List<double[]> curve) {
    /** Percentile iteration steps per halving of the distance to 100%: 5 gives ~17 points per decade ("nine"). */
    private static final int TICKS_PER_HALF_DISTANCE = 5;

    /** From a histogram of nanoseconds: the five figures plus HdrHistogram's percentile iteration. */
    public static LatencySummary ofNanos(Histogram histogram) {
        List<double[]> curve = new ArrayList<>();
        if (histogram.getTotalCount() > 0) {
            for (HistogramIterationValue value : histogram.percentiles(TICKS_PER_HALF_DISTANCE)) {
                curve.add(new double[] {value.getPercentileLevelIteratedTo(), value.getValueIteratedTo() / 1e3});
            }
        }
        return new LatencySummary(histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3, histogram.getValueAtPercentile(99.99) / 1e3,
            histogram.getMaxValue() / 1e3, List.copyOf(curve));
    }
}
