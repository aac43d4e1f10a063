package io.ferrite.kafka;

import java.util.Locale;

/** What a lane promises about its outputs and the input offsets it commits. */
public enum Guarantee {
    /**
     * Outputs and input offsets in one Kafka transaction per commit interval: a reader with
     * {@code isolation.level=read_committed} sees each input's output exactly once, whatever crashes.
     */
    EXACTLY_ONCE,
    /**
     * Outputs acknowledged (acks=all, idempotent producer), then the input offsets committed: a crash
     * re-produces the outputs of the inputs after the last commit (duplicates, never loss).
     */
    AT_LEAST_ONCE;

    /** {@code exactly-once} or {@code at-least-once}. */
    public static Guarantee parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "exactly-once" -> EXACTLY_ONCE;
            case "at-least-once" -> AT_LEAST_ONCE;
            default -> throw new IllegalArgumentException("expected exactly-once or at-least-once, was '" + text + "'");
        };
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
