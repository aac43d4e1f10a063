package io.ferrite.bench.engine;

/**
 * What the publishing (JMH) thread does while it waits, the same for every peer: spin 100 times,
 * then yield. This mirrors the Disruptor's {@code YieldingWaitStrategy} and lets consumer threads
 * run when a 2-core machine has more threads than cores.
 *
 * <p>Thread-safety: stateless.
 */
final class PublisherIdle {
    private static final int SPINS = 100;

    private PublisherIdle() {
    }

    static void idle(int attempt) {
        if (attempt < SPINS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /** Waits until {@code counter} has reached {@code target}. */
    static void awaitCount(HandledCounter counter, long target) {
        int attempt = 0;
        while (counter.count() < target) {
            idle(attempt++);
        }
    }

    /** Waits until {@code counter} has reached {@code target} or {@code timeoutNanos} passed; says which. */
    static boolean awaitCount(HandledCounter counter, long target, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        int attempt = 0;
        while (counter.count() < target) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            idle(attempt++);
        }
        return true;
    }
}
