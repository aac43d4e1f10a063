package io.ferrite.bench.suite;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.List;

/**
 * Latency percentiles of one trial in microseconds, and the percentile curve the latency plot
 * draws ({@code curve}: pairs of percentile (0..100) and microseconds, ascending).
 *
 * <p>Thread-safety: immutable once built (the curve list is not copied: do not change it).
 */
public record LatencySummary(double p50, double p99, double p999, double p9999, double max, List<double[]> curve) {

    /** From a histogram of nanoseconds: the five figures plus HdrHistogram's percentile iteration. */
    public static LatencySummary ofNanos(Histogram histogram) {
        List<double[]> curve = new ArrayList<>();
        for (HistogramIterationValue value : histogram.percentiles(5)) {
            curve.add(new double[] {value.getPercentileLevelIteratedTo(), value.getValueIteratedTo() / 1e3});
        }
        return new LatencySummary(histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3, histogram.getValueAtPercentile(99.99) / 1e3,
            histogram.getMaxValue() / 1e3, curve);
    }

    /** From the five figures alone (the load generator's summary); the curve is those five points. */
    public static LatencySummary ofFigures(double p50, double p99, double p999, double p9999, double max) {
        List<double[]> curve = List.of(new double[] {50, p50}, new double[] {99, p99}, new double[] {99.9, p999},
            new double[] {99.99, p9999}, new double[] {100, max});
        return new LatencySummary(p50, p99, p999, p9999, max, curve);
    }
}
