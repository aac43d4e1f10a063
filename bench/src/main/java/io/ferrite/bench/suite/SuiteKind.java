package io.ferrite.bench.suite;

import java.time.Duration;
import java.util.Locale;

/**
 * The three sizes of {@code ferrite bench}: how long each trial runs and how many there are.
 * Which scenarios each suite runs is {@link Catalog}'s business.
 *
 * <p>Thread-safety: immutable.
 */
public enum SuiteKind {
    /** Seconds in all: one short trial per scenario, a subset of scenarios, no Kafka. CI runs it. */
    SMOKE(new TrialPlan(Duration.ofMillis(200), Duration.ofMillis(300), 1, Duration.ofMillis(50))),
    /** About three minutes on two cores: every scenario family, three 1-second trials. */
    QUICK(new TrialPlan(Duration.ofMillis(700), Duration.ofSeconds(1), 3, Duration.ofMillis(100))),
    /** Up to thirty minutes on two cores: the whole matrix, five 2-second trials. */
    FULL(new TrialPlan(Duration.ofSeconds(2), Duration.ofSeconds(2), 5, Duration.ofMillis(100)));

    private final TrialPlan plan;

    SuiteKind(TrialPlan plan) {
        this.plan = plan;
    }

    public TrialPlan plan() {
        return plan;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
