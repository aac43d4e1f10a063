package io.ferrite.transport.observe;

import io.ferrite.client.ClientConfig;
import io.ferrite.client.FerriteClient;
import io.ferrite.engine.RecordingHandler;
import io.ferrite.testing.Await;
import io.ferrite.transport.node.FerriteNode;
import io.ferrite.transport.node.TestNode;
import io.ferrite.transport.server.BackpressurePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The observer on a real node over real TCP: {@code /status} and {@code /history} carry rates,
 * latency percentiles and lag; alerts go pending → firing → resolved when a slow stage really falls
 * behind and really catches up, and when a flood against a full engine really gets refused; the
 * mutating endpoints need the token.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NodeObserverTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void statusAndHistoryCarryRatesLatencyAndLag() throws Exception {
        try (FerriteNode node = FerriteNode.builder(TestNode.memoryEngine().stage("record", new RecordingHandler()))
            .server(TestNode.config()).admin(0).observe(Duration.ofMillis(200), 50).start();
             FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", node.port()).build())) {
            long last = 0;
            for (int i = 1; i <= 20_000; i++) {
                last = client.publish(1, i, i, 0, new byte[32]);
            }
            client.flush();
            assertThat(client.awaitAcked(last, WAIT)).isTrue();
            Await.until("a sample saw the events", WAIT, () -> node.observer().history(50).stream()
                .anyMatch(p -> p.acceptedPerSecond() > 0));
            String status = get(node, "/status").body();
            assertThat(status).contains("\"status\":\"UP\"").contains("\"healthScore\":100")
                .contains("\"name\":\"record\"").contains("\"transport\":").contains("\"durability\":\"memory\"")
                .containsPattern("\"ackLatencyMicros\":\\{\"windowSeconds\":2,\"count\":[1-9]")
                .containsPattern("\"p99\":[0-9.]+");
            HttpResponse<String> history = get(node, "/history?limit=5");
            assertThat(history.statusCode()).isEqualTo(200);
            assertThat(history.body()).startsWith("{\"intervalMillis\":200,\"points\":[{\"t\":");
            assertThat(history.body().split("\"t\":", -1)).hasSizeLessThanOrEqualTo(6);
            assertThat(get(node, "/history?limit=zero").statusCode()).isEqualTo(400);
            assertThat(get(node, "/metrics").body()).contains("ferrite_health_score 100.0")
                .contains("ferrite_alert_firing{alert=\"error_rate_high\"} 0.0");
        }
    }

    @Test
    void aSlowStageAndAFloodRaiseAlertsThatResolveWhenTheyEnd() throws Exception {
        RecordingHandler slow = RecordingHandler.blockingFirst();
        List<AlertRule> rules = List.of(
            new AlertRule("stage_lag_high", AlertRule.Severity.HIGH, "stage behind", "events", true, 1_000,
                Duration.ofMillis(300), p -> p.stages().getFirst().lag()),
            new AlertRule("error_rate_high", AlertRule.Severity.CRITICAL, "refusing", "%", true, 5, Duration.ZERO,
                p -> p.errorRate() * 100));
        try (FerriteNode node = FerriteNode.builder(TestNode.memoryEngine().capacity(4_096).stage("slow", slow))
            .server(TestNode.config().backpressure(BackpressurePolicy.REJECT).token("secret".getBytes()))
            .admin(0).observe(Duration.ofMillis(100), 100).alertRules(rules).start();
             FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", node.port())
                 .token("secret".getBytes()).build())) {
            long last = 0;
            for (int i = 1; i <= 20_000; i++) { // the stage holds its first event: the engine fills, the rest is refused
                last = client.publish(1, i, i, 0, new byte[32]);
            }
            client.flush();
            slow.awaitBlocked(WAIT);
            assertThat(client.awaitAcked(last, WAIT)).isTrue(); // an ACK also covers REJECTed events
            Await.until("the refusals fired error_rate_high", WAIT, () -> node.observer().alerts().transitions().stream()
                .anyMatch(t -> t.alert().equals("error_rate_high") && t.to().equals("firing")));
            Await.until("the held stage fires stage_lag_high", WAIT, () -> node.observer().alerts().firing().stream()
                .anyMatch(f -> f.rule().name().equals("stage_lag_high")));
            String firing = get(node, "/alerts").body();
            assertThat(firing).contains("\"name\":\"stage_lag_high\",\"severity\":\"high\",\"state\":\"firing\"")
                .contains("\"alert\":\"stage_lag_high\",\"severity\":\"high\",\"from\":\"inactive\",\"to\":\"pending\"")
                .contains("\"alert\":\"stage_lag_high\",\"severity\":\"high\",\"from\":\"pending\",\"to\":\"firing\"");
            Await.until("the flood is over: error_rate_high resolved", WAIT, () -> node.observer().alerts().firing().size() == 1);
            assertThat(get(node, "/status").body()).contains("\"healthScore\":80").contains("high alert stage_lag_high")
                .containsPattern("\"rejectedByCode\":\\{\"OVERLOADED\":[1-9][0-9]*,");
            assertThat(get(node, "/metrics").body()).containsPattern("ferrite_server_rejected_total\\{code=\"overloaded\"} [1-9]");

            slow.release();
            Await.until("both resolve once the stage catches up and nothing is refused", WAIT,
                () -> node.observer().alerts().firing().isEmpty());
            assertThat(get(node, "/alerts").body()).contains("\"alert\":\"stage_lag_high\",\"severity\":\"high\","
                + "\"from\":\"firing\",\"to\":\"resolved\"");

            assertThat(send(node, "DELETE", "/alerts", null).statusCode()).isEqualTo(401);
            assertThat(send(node, "DELETE", "/alerts", "secret").statusCode()).isEqualTo(200);
            assertThat(get(node, "/alerts").body()).contains("\"transitions\":[]");
            assertThat(send(node, "DELETE", "/metrics", "secret").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void reportsAreMadeEachPeriodAndTheNewestKept(@TempDir Path dir) throws Exception {
        try (FerriteNode node = FerriteNode.builder(TestNode.asyncEngine(dir).stage("record", new RecordingHandler()))
            .server(TestNode.config()).admin(0).observe(Duration.ofMillis(100), 50).reports(Duration.ofMillis(500), 2)
            .start();
             FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", node.port()).build())) {
            assertThat(get(node, "/report").statusCode()).as("no period has ended yet").isEqualTo(404);
            long last = 0;
            for (int i = 1; i <= 5_000; i++) {
                last = client.publish(1, i, i, 0, new byte[16]);
            }
            client.flush();
            assertThat(client.awaitAcked(last, WAIT)).isTrue();
            Await.until("a report counts the 5,000 events", WAIT, () -> {
                String report = node.observer().latestReportJson();
                return report != null && report.contains("\"accepted\":5000");
            });
            Path reports = dir.resolve("reports");
            Await.until("more periods ended than are kept", WAIT, () -> fileCount(reports) == 4
                && node.observer().latestReportJson().contains("\"accepted\":0"));
            try (var files = Files.list(reports)) {
                List<Path> kept = files.sorted().toList();
                assertThat(kept).extracting(p -> p.getFileName().toString().replaceAll(".*\\.", ""))
                    .containsExactly("json", "md", "json", "md");
                assertThat(Files.readString(kept.get(1))).startsWith("# Ferrite report, ").contains("| events accepted |");
            }
            HttpResponse<String> report = get(node, "/report");
            assertThat(report.statusCode()).isEqualTo(200);
            assertThat(report.body()).contains("\"ackLatencyMicros\":{").contains("\"lowestHealthScore\":");
            assertThat(get(node, "/status").body()).as("the journal's size").containsPattern("\"sizeBytes\":[1-9]");
        }
    }

    private static long fileCount(Path directory) {
        try (var files = Files.list(directory)) {
            return files.count();
        } catch (IOException e) {
            return -1; // not made yet
        }
    }

    private HttpResponse<String> get(FerriteNode node, String path) throws Exception {
        return send(node, "GET", path, null);
    }

    private HttpResponse<String> send(FerriteNode node, String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
