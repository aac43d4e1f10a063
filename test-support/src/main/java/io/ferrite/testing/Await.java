package io.ferrite.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Test helper: waits for a condition with a deadline (spin, then park in 0.1 ms steps), never a
 * fixed sleep. Fails with a message naming the condition and, where given, the state seen last.
 *
 * <p>Thread-safety: stateless.
 */
public final class Await {
    private Await() {
    }

    /** Returns once {@code condition} holds; throws {@link AssertionError} after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, condition, () -> "");
    }

    /** Like {@link #until(String, Duration, BooleanSupplier)}; {@code state} describes what was seen on failure. */
    public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int attempt = 0;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                String seen = state.get();
                throw new AssertionError("not true within " + timeout + ": " + what + (seen.isEmpty() ? "" : "; " + seen));
            }
            if (attempt++ < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(100_000L);
            }
        }
    }
}
