package io.ferrite.cli;

import io.ferrite.testing.Await;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ferrite run --jfr FILE} in a child JVM, SYNC durability, under a little load: the file it
 * writes when stopped holds Ferrite's own events — the dedup restore at start, group commits,
 * checkpoints, the closed connection and an alert's transition — beside the JDK's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliFlightRecordingTest {
    @TempDir
    Path dir;

    @Test
    void theRecordingHoldsFerritesEvents() throws Exception {
        Path file = dir.resolve("run.jfr");
        try (CliProcess server = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--journal",
            dir.resolve("journal").toString(), "--durability", "sync", "--cpus", "none", "--checkpoint-every", "500",
            "--alert-p99-ms", "0.001", "--jfr", file.toString())) {
            int port = server.awaitReady(Duration.ofSeconds(60));
            String adminPort = server.awaitLine("ferrite listening on ", Duration.ofSeconds(1)).replaceAll(".* admin=", "");
            CliRun send = CliRun.of("send", "--port", String.valueOf(port), "--count", "3000", "--size", "16");
            assertThat(send.status()).as("%s", send).isZero();
            HttpClient http = HttpClient.newHttpClient();
            URI alerts = URI.create("http://127.0.0.1:" + adminPort + "/alerts");
            Await.until("the ACK latency alert left 'inactive'", Duration.ofSeconds(20), () -> {
                try {
                    return http.send(HttpRequest.newBuilder(alerts).build(), HttpResponse.BodyHandlers.ofString()).body()
                        .contains("\"alert\":\"ack_latency_p99_high\"");
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(server.terminate(Duration.ofSeconds(30))).isZero();
            assertThat(server.output()).contains("ferrite: flight recording written to " + file.toAbsolutePath());
        }
        Map<String, Long> counts = RecordingFile.readAllEvents(file).stream()
            .map(event -> event.getEventType().getName())
            .filter(name -> name.startsWith("ferrite."))
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(counts).containsKeys("ferrite.DedupRestore", "ferrite.GroupCommit", "ferrite.ConnectionClosed",
            "ferrite.AlertTransition");
        assertThat(counts.get("ferrite.Checkpoint")).as("3,000 events, a checkpoint every 500").isGreaterThanOrEqualTo(6);
        long committed = RecordingFile.readAllEvents(file).stream()
            .filter(event -> event.getEventType().getName().equals("ferrite.GroupCommit"))
            .mapToLong(event -> event.getLong("records")).sum();
        assertThat(committed).as("records the group commits made durable").isEqualTo(3_000);
    }
}
