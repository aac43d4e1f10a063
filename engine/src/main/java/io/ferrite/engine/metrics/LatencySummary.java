package io.ferrite.engine.metrics;

import java.util.Objects;

/**
 * A latency figure registered beside the {@link Metric}s: a sliding {@link LatencyWindow} that the
 * node's observer samples every interval and the admin port's {@code /metrics} shows as a
 * Prometheus summary (quantiles over the window, count and sum since the start), e.g. an action's
 * attempt durations.
 *
 * <p>Thread-safety: immutable; the window is thread-safe.
 *
 * @param name       metric name in base units, e.g. {@code ferrite_action_duration_seconds}
 * @param help       one line saying what it measures
 * @param labelName  the label's name, or null for none
 * @param labelValue the label's value, or null for none
 * @param window     the window the observer samples
 */
public record LatencySummary(String name, String help, String labelName, String labelValue, LatencyWindow window) {
    public LatencySummary {
        Objects.requireNonNull(help, "help");
        Objects.requireNonNull(window, "window");
        new Metric(name, help, Metric.Kind.GAUGE, labelName, labelValue, () -> 0); // the same rules for names and labels
    }
}
