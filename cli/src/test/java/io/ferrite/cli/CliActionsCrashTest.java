package io.ferrite.cli;

import com.sun.net.httpserver.HttpServer;
import io.ferrite.client.ClientConfig;
import io.ferrite.client.FerriteClient;
import io.ferrite.testing.Await;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of {@code ferrite run} in the middle of a burst of webhook actions, then a restart on the
 * same journal: every ACKed event's action reaches the receiver (a real HTTP server counting
 * {@code Idempotency-Key}s), so a receiver that honours the key completes each exactly once; the
 * repeats — calls sent again because the kill came between the receiver's answer and the stage's
 * checkpoint — are counted and bounded by what was unfinished at the kill.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CliActionsCrashTest {
    private static final int EVENTS = 3_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "--checkpoint-every {0}")
    @ValueSource(ints = {1, 10, 100, 1000})
    void everyAckedEventsActionCompletesAfterAKillNine(int checkpointEvery) throws Exception {
        Map<String, AtomicInteger> callsByKey = new ConcurrentHashMap<>();
        AtomicLong calls = new AtomicLong();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                Thread.sleep(5); // slow enough that the kill finds calls in flight and events waiting
                callsByKey.computeIfAbsent(exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                    key -> new AtomicInteger()).incrementAndGet();
                calls.incrementAndGet();
                exchange.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        receiver.start();
        Path pipeline = Files.writeString(dir.resolve("hooks.yaml"), """
            actions:
              - name: hook
                http: {url: 'http://127.0.0.1:%d/orders/{key}'}
                retries: {attempts: 20, base: 50ms, cap: 1s}
            stages:
              - name: out
                actions: [hook]
                with: {max-parallelism: 16}
            """.formatted(receiver.getAddress().getPort()));
        String[] run = {"run", "--port", "0", "--admin-port", "0", "--journal", dir.resolve("journal").toString(),
            "--cpus", "none", "--pipeline", pipeline.toString(), "--checkpoint-every", Integer.toString(checkpointEvery)};
        long callsAtKill;
        long suppressed;
        double rate;
        try {
            try (CliProcess server = CliProcess.start(run)) {
                int port = server.awaitReady(Duration.ofSeconds(60));
                try (FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", port).build())) {
                    long last = 0;
                    for (int i = 1; i <= EVENTS; i++) {
                        last = client.publish(1, i, i, 0, new byte[16]);
                    }
                    client.flush();
                    assertThat(client.awaitAcked(last, Duration.ofSeconds(30))).as("every event ACKed").isTrue();
                }
                long burstStart = System.nanoTime();
                long callsAtStart = calls.get();
                Await.until("the burst of calls under way", Duration.ofSeconds(60), () -> calls.get() >= callsAtStart + 1_000);
                rate = (calls.get() - callsAtStart) / ((System.nanoTime() - burstStart) / 1e9);
                server.kill(); // SIGKILL
                callsAtKill = calls.get();
            }
            assertThat(callsAtKill).as("killed mid-burst").isLessThan(EVENTS);
            try (CliProcess restarted = CliProcess.start(run)) {
                restarted.awaitReady(Duration.ofSeconds(60));
                String adminPort = restarted.awaitLine("ferrite listening on ", Duration.ofSeconds(1)).replaceAll(".* admin=", "");
                Await.until("every ACKed event's action reached the receiver", Duration.ofSeconds(120),
                    () -> callsByKey.size() == EVENTS, () -> callsByKey.size() + " keys of " + EVENTS);
                // the receiver takes 5 ms a call: the attempts' median over the last 10 s says at least that
                Await.until("the action's duration summary covers the receiver's time", Duration.ofSeconds(20),
                    () -> AdminHttp.metric(adminPort, "ferrite_action_duration_seconds{action=\"out/hook\",quantile=\"0.5\"}") >= 0.005);
                Await.until("the restarted stage caught up", Duration.ofSeconds(60),
                    () -> (long) AdminHttp.metric(adminPort, "ferrite_stage_lag_events{stage=\"out\"}") == 0);
                suppressed = (long) AdminHttp.metric(adminPort, "ferrite_action_suppressed_total{stage=\"out\"}");
                assertThat(restarted.terminate(Duration.ofSeconds(60))).isZero();
            }
        } finally {
            receiver.stop(0);
        }
        long repeats = calls.get() - callsByKey.size();
        System.out.printf("actions crash test, --checkpoint-every %d: %.0f actions/s before the kill; %d events, %d calls"
                + " before the kill, %d in all: %d repeats at the receiver, %d replayed but not fired again (the ledger)%n",
            checkpointEvery, rate, EVENTS, callsAtKill, calls.get(), repeats, suppressed);
        assertThat(callsByKey).hasSize(EVENTS);
        assertThat(callsByKey.keySet()).allMatch(key -> key.endsWith("-hook"));
        // only calls in flight at the kill (at most max-parallelism) reach the receiver twice: the stage
        // checkpoints what is finished whenever it idles, and the ledger stops a longer replay from firing
        // completed actions again (ActionStageTest proves it with the checkpoint removed)
        assertThat(repeats).as("calls sent again after the restart").isLessThanOrEqualTo(16);
        assertThat(suppressed).as("completed actions replayed from the checkpoint and not fired").isNotNegative();
    }
}
