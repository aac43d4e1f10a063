package io.ferrite.engine.metrics;

import java.util.Arrays;

/**
 * The figures of one node, in the order they were added: the engine's, then whatever composes it
 * (the server's). Exporters ({@link CountersFile}, the admin port's {@code /metrics}) read them.
 *
 * <p>Thread-safety: {@link #add} from any thread (control path, synchronized); {@link #metrics()}
 * from any thread without locking: it returns the array as of the last add (a volatile read), which
 * callers must not change.
 */
public final class MetricRegistry {
    private volatile Metric[] metrics = new Metric[0];

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

    /** Every metric so far; do not modify the array. */
    public Metric[] metrics() {
        return metrics;
    }
}
