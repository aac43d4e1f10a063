package io.ferrite.cli;

import com.sun.net.httpserver.HttpServer;
import io.ferrite.client.ClientConfig;
import io.ferrite.client.FerriteClient;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ferrite dlq}: actions that gave up against a real receiver are listed and shown while the
 * server runs, replayed once the receiver is healthy (same idempotency key), and purged.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CliDlqTest {
    @TempDir
    Path dir;

    @Test
    void deadLettersOfActionsAreListedShownReplayedAndPurged() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(false);
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                calls.incrementAndGet();
                long key = Long.parseLong(exchange.getRequestURI().getPath().replaceAll(".*/", ""));
                exchange.sendResponseHeaders(healthy.get() || key < 3 ? 200 : key == 3 ? 404 : 500, -1);
            }
        });
        receiver.start();
        Path journal = dir.resolve("journal");
        Path pipeline = Files.writeString(dir.resolve("p.yaml"), """
            actions:
              - name: hook
                http: {url: 'http://127.0.0.1:%d/orders/{key}'}
                retries: {attempts: 2, base: 10ms, cap: 10ms}
            stages:
              - name: out
                actions: [hook]
            """.formatted(receiver.getAddress().getPort()));
        try {
            try (CliProcess server = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--journal",
                journal.toString(), "--cpus", "none", "--pipeline", pipeline.toString())) {
                int port = server.awaitReady(Duration.ofSeconds(60));
                try (FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", port).build())) {
                    long last = 0;
                    for (int key = 1; key <= 4; key++) {
                        last = client.publish(1, key, 100 + key, 0, new byte[] {7, 8, 9});
                    }
                    client.flush();
                    assertThat(client.awaitAcked(last, Duration.ofSeconds(20))).isTrue();
                }
                Await.until("two dead letters", Duration.ofSeconds(30),
                    () -> CliRun.of("dlq", "list", "--journal", journal.toString()).out().contains("2 dead letters"));
                CliRun list = CliRun.of("dlq", "list", "--journal", journal.toString());
                assertThat(list.out()).contains("#1 index=2 stage=out eventId=103 type=1 key=3 priority=0 payload=3B"
                    + " error=io.ferrite.pipeline.actions.ActionException: action hook gave up after 1 attempt: HTTP 404")
                    .contains("#2 index=3 stage=out eventId=104 type=1 key=4", "action hook gave up after 2 attempts: HTTP 500");
                CliRun show = CliRun.of("dlq", "show", "--journal", journal.toString(), "2");
                assertThat(show.out()).contains("payload (hex): 070809", "payload (base64): BwgJ");
                assertThat(CliRun.of("dlq", "show", "--journal", journal.toString(), "3").err())
                    .contains("no dead letter #3; there are 2");
                assertThat(server.terminate(Duration.ofSeconds(30))).isZero();
            }
            int before = calls.get();
            healthy.set(true);
            CliRun replay = CliRun.of("dlq", "replay", "--journal", journal.toString(), "--pipeline", pipeline.toString());
            assertThat(replay.status()).as("%s", replay).isZero();
            assertThat(replay.out()).contains("#1 hook: done", "#2 hook: done", "2 replayed, 0 failed again");
            assertThat(calls.get() - before).isEqualTo(2);
            CliRun refused = CliRun.of("dlq", "purge", "--journal", journal.toString());
            assertThat(refused.status()).isEqualTo(2);
            assertThat(refused.err()).contains("purge deletes 2 dead letters for good: add --yes");
            assertThat(CliRun.of("dlq", "purge", "--journal", journal.toString(), "--yes").out()).contains("purged 2");
            assertThat(CliRun.of("dlq", "list", "--journal", journal.toString()).err()).contains("no dead-letter journal there");
        } finally {
            receiver.stop(0);
        }
    }
}
