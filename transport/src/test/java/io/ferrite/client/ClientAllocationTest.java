package io.ferrite.client;

import io.ferrite.transport.node.TestNode;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Zero allocation per publish in steady state: after a warm-up, 100k publishes with flushes (and
 * the back-pressure retries they meet) allocate no more than a small constant on the publishing
 * thread, measured with {@code ThreadMXBean.getCurrentThreadAllocatedBytes}; the reader thread's
 * ACK handling is measured over the same window.
 */
class ClientAllocationTest {
    private static final int WARM_UP = 300_000;
    private static final int MEASURED = 100_000;
    /** TLAB accounting and the odd JIT deoptimisation leave a few hundred bytes of noise at most. */
    private static final long PUBLISHER_LIMIT_BYTES = 2_048;
    private static final long READER_LIMIT_BYTES = 16_384;

    @Test
    void publishAndFlushAllocateNothingInSteadyState() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        try (Arena arena = Arena.ofConfined();
             TestNode server = TestNode.memory();
             FerriteClient client = FerriteClient.connect(server.client().window(1 << 20, 4096).build())) {
            MemorySegment payload = arena.allocate(64);
            byte[] bytes = new byte[64];
            publish(client, payload, bytes, 1, WARM_UP);
            long readerId = client.readerThread().threadId();
            long readerBefore = threads.getThreadAllocatedBytes(readerId);
            long before = threads.getCurrentThreadAllocatedBytes();
            publish(client, payload, bytes, 1 + WARM_UP, MEASURED);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(client.awaitAcked(WARM_UP + MEASURED, Duration.ofSeconds(30))).isTrue();
            long readerAllocated = threads.getThreadAllocatedBytes(readerId) - readerBefore;
            System.out.printf("allocation over %d publishes: publisher %d bytes, reader %d bytes%n",
                MEASURED, allocated, readerAllocated);
            assertThat(allocated).as("bytes allocated by %d publishes", MEASURED).isLessThan(PUBLISHER_LIMIT_BYTES);
            assertThat(readerAllocated).as("bytes allocated by the reader meanwhile").isLessThan(READER_LIMIT_BYTES);
        }
    }

    /** Alternates the segment and byte[] forms; flushes every 32 events and on back pressure. */
    private static void publish(FerriteClient client, MemorySegment payload, byte[] bytes, long firstId, int count) {
        for (int i = 0; i < count; i++) {
            long eventId = firstId + i;
            long result;
            while (true) {
                result = (i & 1) == 0
                    ? client.publish(1, eventId & 1023, eventId, 0, payload, 0, 64)
                    : client.publish(1, eventId & 1023, eventId, 0L, 0, bytes, 0, 64);
                if (result != ClientResult.BACK_PRESSURED) {
                    break;
                }
                client.flush();
                Thread.yield();
            }
            if (result <= 0) {
                throw new AssertionError("publish failed: " + ClientResult.describe(result));
            }
            if ((i & 31) == 31) {
                client.flush();
            }
        }
        client.flush();
    }
}
