package io.ferrite.transport.server;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Limits failed HELLOs per remote address: after {@code limit} failures (a wrong or missing token)
 * within a minute, that address's HELLOs are refused without their token being checked until the
 * minute is over — so guessing tokens costs a minute per {@code limit} guesses. The minute is a
 * fixed window starting at the address's first failure in it.
 *
 * <p>Control path (HELLOs only): a small synchronized map, trimmed of expired windows when it grows.
 *
 * <p>Thread-safety: thread-safe (every event loop shares one).
 */
final class AuthThrottle {
    private static final long WINDOW_NANOS = 60_000_000_000L;
    private static final int TRIM_AT = 10_000;

    private final int limit;
    private final Map<InetAddress, Window> failures = new HashMap<>();

    /** @param limit failures per address and minute; 0: no limit */
    AuthThrottle(int limit) {
        this.limit = limit;
    }

    /** Whether {@code address} has used up its failures for this minute (its HELLO is refused unchecked). */
    synchronized boolean refuses(InetAddress address, long nowNanos) {
        if (limit == 0 || address == null) {
            return false;
        }
        Window window = failures.get(address);
        return window != null && nowNanos - window.startNanos < WINDOW_NANOS && window.count >= limit;
    }

    /** Counts a failed HELLO from {@code address}. */
    synchronized void failed(InetAddress address, long nowNanos) {
        if (limit == 0 || address == null) {
            return;
        }
        Window window = failures.get(address);
        if (window == null || nowNanos - window.startNanos >= WINDOW_NANOS) {
            if (failures.size() >= TRIM_AT) {
                failures.values().removeIf(w -> nowNanos - w.startNanos >= WINDOW_NANOS);
            }
            failures.put(address, new Window(nowNanos));
            window = failures.get(address);
        }
        window.count++;
    }

    private static final class Window {
        final long startNanos;
        int count;

        Window(long startNanos) {
            this.startNanos = startNanos;
        }
    }
}
