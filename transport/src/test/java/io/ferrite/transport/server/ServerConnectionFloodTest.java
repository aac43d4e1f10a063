package io.ferrite.transport.server;

import io.ferrite.testing.Await;
import io.ferrite.testing.FaultSuite;
import io.ferrite.testing.RawClient;
import io.ferrite.testing.RawFrames;
import io.ferrite.transport.node.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault suite's connection floods, over real TCP: many connections held open at once (each
 * with its HELLO answered), then a storm of connect / HELLO / close cycles from several threads,
 * while one well-behaved connection keeps publishing; afterwards every connection is gone, the
 * server answers a fresh HELLO and the engine still journals. Short form: 200 held, 1,000 cycles;
 * long form ({@code -Dferrite.faults=long}): 1,000 held, 10,000 cycles.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ServerConnectionFloodTest {
    private static final int HELD = FaultSuite.pick(200, 1_000);
    private static final int CYCLES = FaultSuite.pick(1_000, 10_000);
    private static final int THREADS = 4;

    @Test
    void manyConnectionsAndAConnectStormLeaveTheServerServing() throws Exception {
        try (TestNode node = TestNode.start(TestNode.memoryEngine(), TestNode.config());
             RawClient steady = RawClient.connectAndHello(node.port())) {
            long heapBefore = usedHeap();
            List<RawClient> held = new ArrayList<>();
            try {
                for (int i = 0; i < HELD; i++) {
                    held.add(RawClient.connectAndHello(node.port()));
                }
                Await.until(HELD + " connections open", Duration.ofSeconds(30),
                    () -> node.counters().connectionsOpen() == HELD + 1);
                long correlationId = 0;
                steady.send(RawFrames.event(++correlationId, correlationId, 7));
                assertThat(steady.readUntilAck(correlationId, RawClient.TIMEOUT)).isNotEmpty();

                long started = System.nanoTime();
                try (ExecutorService storm = Executors.newFixedThreadPool(THREADS)) {
                    List<Future<Integer>> done = new ArrayList<>();
                    for (int t = 0; t < THREADS; t++) {
                        done.add(storm.submit(() -> {
                            int cycles = 0;
                            for (int i = 0; i < CYCLES / THREADS; i++) {
                                try (RawClient client = RawClient.connectAndHello(node.port())) {
                                    cycles++;
                                }
                            }
                            return cycles;
                        }));
                    }
                    while (done.stream().anyMatch(f -> !f.isDone())) { // the steady connection goes on meanwhile
                        steady.send(RawFrames.event(++correlationId, correlationId, 7));
                        assertThat(steady.readUntilAck(correlationId, RawClient.TIMEOUT)).isNotEmpty();
                        Thread.sleep(5); // pacing the steady publisher, not a wait: each step waits on its ACK
                    }
                    int total = 0;
                    for (Future<Integer> f : done) {
                        total += f.get();
                    }
                    assertThat(total).isEqualTo(CYCLES / THREADS * THREADS);
                }
                System.out.printf("%d held, %d connect/HELLO/close cycles in %.1f s; live heap after a GC +%d MiB"
                    + " (server and %d test clients in one JVM); steady connection ACKed %d events%n", HELD, CYCLES,
                    (System.nanoTime() - started) / 1e9, (usedHeap() - heapBefore) >> 20, HELD, correlationId);
            } finally {
                for (RawClient client : held) {
                    client.close();
                }
            }
            Await.until("only the steady connection left", Duration.ofSeconds(30),
                () -> node.counters().connectionsOpen() == 1, () -> "open " + node.counters().connectionsOpen());
            try (RawClient fresh = RawClient.connectAndHello(node.port())) {
                fresh.send(RawFrames.event(1, 1, 1));
                assertThat(fresh.readUntilAck(1, RawClient.TIMEOUT)).isNotEmpty();
            }
            assertThat(node.counters().protocolErrors()).isZero();
        }
    }

    /** Live heap: after a full GC. */
    private static long usedHeap() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
