package io.ferrite.pipeline;

import java.util.Arrays;

/**
 * A condition on one numeric header field: any value, one of a set, or within a range. Checked
 * per event without allocating.
 *
 * <p>Thread-safety: immutable.
 */
public final class FieldMatch {
    /** Matches every value. */
    public static final FieldMatch ANY = new FieldMatch(null, Long.MIN_VALUE, Long.MAX_VALUE);

    private final long[] values;
    private final long min;
    private final long max;

    private FieldMatch(long[] values, long min, long max) {
        this.values = values;
        this.min = min;
        this.max = max;
    }

    /** One of {@code values}. */
    public static FieldMatch oneOf(long... values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return new FieldMatch(sorted, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** {@code min <= value <= max}. */
    public static FieldMatch between(long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException("min " + min + " is above max " + max);
        }
        return new FieldMatch(null, min, max);
    }

    public boolean matches(long value) {
        if (values != null) {
            return Arrays.binarySearch(values, value) >= 0;
        }
        return value >= min && value <= max;
    }

    public boolean isAny() {
        return this == ANY;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FieldMatch m && Arrays.equals(values, m.values) && min == m.min && max == m.max;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(values) + Long.hashCode(min) * 17 + Long.hashCode(max);
    }

    /** The condition in words, naming the value {@code subject} where a range needs it: {@code 2}, {@code in [1, 2]}, {@code 0 <= priority <= 1}. */
    public String describe(String subject) {
        if (isAny()) {
            return "any";
        }
        if (values != null) {
            return values.length == 1 ? Long.toString(values[0]) : "in " + Arrays.toString(values);
        }
        return (min == Long.MIN_VALUE ? "" : min + " <= ") + subject + (max == Long.MAX_VALUE ? "" : " <= " + max);
    }

    @Override
    public String toString() {
        return describe("x");
    }
}
