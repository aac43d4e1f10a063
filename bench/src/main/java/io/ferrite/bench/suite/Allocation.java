package io.ferrite.bench.suite;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes allocated by the whole JVM so far ({@code com.sun.management.ThreadMXBean}'s total,
 * terminated threads included): read around a trial, the difference over its events is the
 * allocation per event of everything in the process (server, client, peer, harness).
 *
 * <p>Thread-safety: stateless.
 */
final class Allocation {
    private Allocation() {
    }

    /** Total allocated bytes, or -1 when this JVM does not tell. */
    static long total() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
            && bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled()) {
            return bean.getTotalThreadAllocatedBytes();
        }
        return -1;
    }
}
