package io.ferrite.engine;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.Locale;

/**
 * What a stage thread does when a duty cycle found no work. {@link #BACKOFF} is the default: it
 * spins briefly, yields, then parks with growing pauses, so idle threads leave a 2-core machine
 * alone. {@link #SPIN} is for pinned, isolated cores only.
 *
 * <p>Thread-safety: immutable; {@link #newStrategy()} makes one strategy per thread.
 */
public enum IdleKind {
    SPIN, YIELD, BACKOFF, PARK;

    /** A new Agrona idle strategy of this kind (each runner needs its own). */
    public IdleStrategy newStrategy() {
        return switch (this) {
            case SPIN -> new BusySpinIdleStrategy();
            case YIELD -> new YieldingIdleStrategy();
            // 100 spins, 10 yields, then park from 1 µs doubling up to 1 ms.
            case BACKOFF -> new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
            case PARK -> new SleepingMillisIdleStrategy(1);
        };
    }

    /** Parses {@code spin | yield | backoff | park}, case-insensitively. */
    public static IdleKind parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("idle strategy '" + text + "' is not one of spin, yield, backoff, park", e);
        }
    }
}
