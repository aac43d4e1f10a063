package io.ferrite.bench.suite;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One scenario's trials, or why it has none ({@code skipped}), with the medians and ranges the
 * report and the baseline check use, and the profile of its trials when the run was profiled
 * ({@code profile}, else null).
 *
 * <p>Thread-safety: immutable.
 */
public record ScenarioResult(String name, String group, String description, Metric metric, List<String> peers,
                             List<TrialResult> trials, String skipped, ProfileRecord profile) {

    public ScenarioResult {
        trials = List.copyOf(trials);
        peers = List.copyOf(peers);
    }

    public static ScenarioResult skipped(Scenario scenario, String reason) {
        return new ScenarioResult(scenario.name(), scenario.group(), scenario.description(), scenario.metric(),
            scenario.peers(), List.of(), reason, null);
    }

    public boolean ran() {
        return skipped == null && !trials.isEmpty();
    }

    /** The three-number summary (median, min, max) of a per-trial figure; NaNs when there are no trials. */
    public Range range(ToDoubleFunction<TrialResult> figure) {
        double[] values = trials.stream().mapToDouble(figure).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (values.length == 0) {
            return new Range(Double.NaN, Double.NaN, Double.NaN);
        }
        int n = values.length;
        double median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        return new Range(median, values[0], values[n - 1]);
    }

    public Range throughput() {
        return range(TrialResult::throughput);
    }

    /** A latency percentile across trials; NaNs when no trial measured latency. */
    public Range latency(ToDoubleFunction<LatencySummary> percentile) {
        return range(t -> t.latency() == null ? Double.NaN : percentile.applyAsDouble(t.latency()));
    }

    /** The range of this scenario's {@link #metric()}. */
    public Range primary() {
        return metric == Metric.THROUGHPUT ? throughput() : latency(LatencySummary::p99);
    }

    public Range allocationPerEvent() {
        return range(TrialResult::allocationPerEvent);
    }

    /**
     * Median, min and max of one figure over the trials.
     *
     * <p>Thread-safety: immutable.
     */
    public record Range(double median, double min, double max) {
        public boolean isKnown() {
            return !Double.isNaN(median);
        }

        @Override
        public String toString() {
            return Arrays.toString(new double[] {median, min, max});
        }
    }
}
