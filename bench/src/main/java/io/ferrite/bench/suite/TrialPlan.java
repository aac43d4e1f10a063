package io.ferrite.bench.suite;

import java.time.Duration;
import java.util.Objects;

/**
 * How one scenario is measured: a warm-up run (result discarded), then {@code trials} runs of
 * {@code trial} each, sampled every {@code sample} for the throughput-over-time plots.
 *
 * <p>Thread-safety: immutable.
 */
public record TrialPlan(Duration warmup, Duration trial, int trials, Duration sample) {
    public TrialPlan {
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(trial, "trial");
        Objects.requireNonNull(sample, "sample");
        if (trials < 1) {
            throw new IllegalArgumentException("trials must be >= 1, was " + trials);
        }
    }
}
