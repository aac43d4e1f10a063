package io.ferrite.engine.metrics;

import java.util.Arrays;

/**
 * The figures of one node, in the order they were added: the engine's, then whatever composes it
 * (the server's), and latency windows shown as summaries. Exporters ({@link CountersFile}, the admin port's {@code /metrics}) read them.
 *
 * <p>Thread-safety: {@link #add} from any thread (control path, synchronized); {@link #metrics()}
 * from any thread without locking: it returns the array as of the last add (a volatile read), which
 * callers must not change.
 */
public final class MetricRegistry {
    private volatile Metric[] metrics = new Metric[0];
    private volatile LatencySummary[] latencies = new LatencySummary[0];

    /** @throws IllegalArgumentException when the same name and label are already there */
    public synchronized void add(Metric metric) {
        for (Metric existing : metrics) {
            if (existing.displayName().equals(metric.displayName())) {
                throw new IllegalArgumentException("metric " + metric.displayName() + " is already registered");
            }
        }
        Metric[] more = Arrays.copyOf(metrics, metrics.length + 1);
        more[metrics.length] = metric;
        metrics = more;
    }

    /** Adds a latency window the observer samples and {@code /metrics} shows as a summary. */
    public synchronized void add(LatencySummary latency) {
        for (LatencySummary existing : latencies) {
            if (existing.name().equals(latency.name()) && java.util.Objects.equals(existing.labelValue(), latency.labelValue())) {
                throw new IllegalArgumentException("latency " + latency.name() + " " + latency.labelValue()
                    + " is already registered");
            }
        }
        LatencySummary[] more = Arrays.copyOf(latencies, latencies.length + 1);
        more[latencies.length] = latency;
        latencies = more;
    }

    /** Every latency summary so far; do not modify the array. */
    public LatencySummary[] latencies() {
        return latencies;
    }

    /** Every metric so far; do not modify the array. */
    public Metric[] metrics() {
        return metrics;
    }
}
