package io.ferrite.transport.observe;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * A condition on the node's samples that raises an alert when it holds for a while: a signal read
 * from each {@link StatusPoint}, compared with a threshold, held for {@code holdFor} before it fires.
 * The defaults follow the systems Ferrite grew from: p99 latency too high (high), error rate above
 * 5 % (critical), memory or CPU above 80 % (medium), a stage's lag growing (high), disk nearly full
 * (high), the journal refusing events (critical), the enrichment caches' hit rate below 70 % (low).
 *
 * <p>Thread-safety: immutable.
 *
 * @param name        identifier, as in labels and the Prometheus rules file
 * @param severity    how bad it is
 * @param description what it means, for a person
 * @param unit        the signal's unit, for messages ("ms", "%", "events")
 * @param above       true: fires when the signal is above the threshold; false: below
 * @param threshold   the limit
 * @param holdFor     how long the condition must hold before the alert fires (0: at once)
 * @param signal      reads the signal from a sample
 */
public record AlertRule(String name, Severity severity, String description, String unit, boolean above,
                        double threshold, Duration holdFor, ToDoubleFunction<StatusPoint> signal) {

    /** Ordered from least to most severe. */
    public enum Severity {
        LOW, MEDIUM, HIGH, CRITICAL;

        public String lowerCase() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public AlertRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(holdFor, "holdFor");
        Objects.requireNonNull(signal, "signal");
    }

    /** Whether {@code value} breaks the rule. */
    public boolean breached(double value) {
        return above ? value > threshold : value < threshold;
    }

    /** The default rules; {@code p99LimitMillis} is the ACK latency limit. */
    public static List<AlertRule> defaults(double p99LimitMillis) {
        return List.of(
            new AlertRule("ack_latency_p99_high", Severity.HIGH, "ACK latency p99 over the last 10 s is above the limit",
                "ms", true, p99LimitMillis, Duration.ofSeconds(10), p -> p.ackP99Nanos() / 1e6),
            new AlertRule("error_rate_high", Severity.CRITICAL, "more than 5 % of events are refused (REJECT)", "%", true,
                5, Duration.ofSeconds(10), p -> p.errorRate() * 100),
            new AlertRule("memory_high", Severity.MEDIUM, "the JVM heap is more than 80 % full", "%", true, 80,
                Duration.ofSeconds(30), p -> p.heapFraction() * 100),
            new AlertRule("cpu_high", Severity.MEDIUM, "the process uses more than 80 % of the machine's CPUs", "%", true,
                80, Duration.ofSeconds(30), p -> p.cpuLoad() * 100),
            new AlertRule("stage_lag_high", Severity.HIGH, "a stage is more than 50,000 events behind the journal",
                "events", true, 50_000, Duration.ofSeconds(10),
                p -> p.stages().stream().mapToLong(StatusPoint.Stage::lag).max().orElse(0)),
            new AlertRule("disk_free_low", Severity.HIGH, "the journal's disk has less than 10 % free", "%", false, 10,
                Duration.ZERO, p -> p.diskFreeFraction() * 100),
            new AlertRule("journal_unavailable", Severity.CRITICAL, "the journal refuses events (disk full or failing)",
                "", true, 0.5, Duration.ZERO, p -> p.journalProblem() == null ? 0 : 1),
            new AlertRule("cache_hit_rate_low", Severity.LOW, "the enrichment caches answer fewer than 70 % of lookups",
                "%", false, 70, Duration.ofSeconds(60), p -> p.cacheHitRate() < 0 ? Double.NaN : p.cacheHitRate() * 100));
    }
}
