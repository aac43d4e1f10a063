package io.ferrite.testing;

import java.util.Locale;

/**
 * The fault suite's two sizes. Every build runs the short form (seconds per test); the soak runs
 * the long form: {@code bin/test -Dferrite.faults=long} (the whole reactor) or with {@code -pl}
 * and {@code -Dtest=} for one part. Fault tests take their counts and durations from here.
 *
 * <p>Thread-safety: stateless.
 */
public final class FaultSuite {
    private FaultSuite() {
    }

    /** Whether this run is the long form ({@code -Dferrite.faults=long}). */
    public static boolean longForm() {
        return "long".equals(System.getProperty("ferrite.faults", "short").trim().toLowerCase(Locale.ROOT));
    }

    /** {@code shortValue} in the short form, {@code longValue} in the long one. */
    public static int pick(int shortValue, int longValue) {
        return longForm() ? longValue : shortValue;
    }
}
