package io.ferrite.engine.metrics;

import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * One named figure of a running node: a counter (only grows) or a gauge, with at most one label,
 * read on demand from where it is kept (a {@code Progress}, a {@code LongAdder}, a queue's size).
 * Names follow Prometheus conventions: {@code ferrite_} prefix, base units, and counters named
 * without their {@code _total} suffix (the exposition adds it).
 *
 * <p>Thread-safety: immutable; {@link #read()} may run on any thread (the source must allow it).
 *
 * @param name       metric name, e.g. {@code ferrite_stage_events}
 * @param help       one line saying what it counts
 * @param kind       counter or gauge
 * @param labelName  the label's name (e.g. {@code stage}), or null for none
 * @param labelValue the label's value, or null for none
 * @param source     reads the current value (without allocating)
 */
public record Metric(String name, String help, Kind kind, String labelName, String labelValue, LongSupplier source) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** What the value does over time. */
    public enum Kind { COUNTER, GAUGE }

    public Metric {
        Objects.requireNonNull(help, "help");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name must match " + NAME + ", was " + name);
        }
        if ((labelName == null) != (labelValue == null)) {
            throw new IllegalArgumentException("a label needs a name and a value: " + labelName + "=" + labelValue);
        }
        if (labelName != null && !NAME.matcher(labelName).matches()) {
            throw new IllegalArgumentException("label name must match " + NAME + ", was " + labelName);
        }
    }

    public static Metric counter(String name, String help, LongSupplier source) {
        return new Metric(name, help, Kind.COUNTER, null, null, source);
    }

    public static Metric gauge(String name, String help, LongSupplier source) {
        return new Metric(name, help, Kind.GAUGE, null, null, source);
    }

    /** This metric with a label, e.g. {@code withLabel("stage", "ingest")}. */
    public Metric withLabel(String label, String value) {
        return new Metric(name, help, kind, label, value, source);
    }

    public long read() {
        return source.getAsLong();
    }

    /** {@code name} or {@code name{label="value"}}: how the counters file and {@code ferrite stat} show it. */
    public String displayName() {
        return labelName == null ? name : name + "{" + labelName + "=\"" + labelValue + "\"}";
    }
}
