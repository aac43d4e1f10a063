package io.ferrite.bench.suite;

/**
 * The one number a scenario is judged by in baseline comparisons.
 *
 * <p>Thread-safety: immutable.
 */
public enum Metric {
    /** Events per second, higher is better (maximum-throughput scenarios). */
    THROUGHPUT(true),
    /** 99th percentile latency in microseconds, lower is better (fixed-rate and round-trip scenarios). */
    P99_MICROS(false);

    private final boolean higherIsBetter;

    Metric(boolean higherIsBetter) {
        this.higherIsBetter = higherIsBetter;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }
}
