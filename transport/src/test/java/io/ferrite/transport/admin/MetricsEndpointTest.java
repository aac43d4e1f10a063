package io.ferrite.transport.admin;

import io.ferrite.client.ClientConfig;
import io.ferrite.client.FerriteClient;
import io.ferrite.engine.RecordingHandler;
import io.ferrite.testing.Await;
import io.ferrite.transport.node.FerriteNode;
import io.ferrite.transport.node.TestNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /metrics} as its consumers use it: the text format checked by {@code promtool check
 * metrics}, OpenMetrics when asked for, and a real Prometheus (Debian's package; {@code .ci/run}
 * installs it) scraping a running node until its query API returns the events this test sent, with
 * the shipped alert rules ({@code deploy/prometheus}) loaded and evaluating without error. Every
 * series the rules and the Grafana dashboard ({@code deploy/grafana}) name is in the output.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsEndpointTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The repository's deploy/ (tests run in the module's directory). */
    private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    private static final Path RULES = DEPLOY.resolve("prometheus").resolve("ferrite-alerts.yml");
    private static final Path GRAFANA = DEPLOY.resolve("grafana").resolve("ferrite-dashboard.json");
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void metricsAreServedInTheTextFormatAndAsOpenMetricsWhenAsked() throws Exception {
        try (FerriteNode node = startNode(); FerriteClient client = FerriteClient.connect(clientFor(node))) {
            sendAndAwait(client, 500);
            Await.until("the stage handled 500", WAIT, () -> node.engine().metrics().stages().getFirst().events() == 500);
            HttpResponse<String> text = get(node, "/metrics", "text/plain");
            assertThat(text.statusCode()).isEqualTo(200);
            assertThat(text.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
            assertThat(text.body())
                .contains("# TYPE ferrite_server_events_total counter")
                .contains("ferrite_server_events_total{outcome=\"accepted\"} 500.0")
                .contains("ferrite_stage_events_total{stage=\"record\"} 500.0")
                .contains("ferrite_stage_lag_events{stage=\"record\"} 0.0")
                .contains("ferrite_connections_open 1.0")
                .contains("jvm_memory_used_bytes")
                .contains("process_cpu_seconds_total");
            HttpResponse<String> open = get(node, "/metrics", "application/openmetrics-text; version=1.0.0");
            assertThat(open.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/openmetrics-text");
            assertThat(open.body()).contains("ferrite_server_events_total{outcome=\"accepted\"} 500.0").endsWith("# EOF\n");
        }
    }

    @Test
    void promtoolAcceptsTheMetricsAndARealPrometheusScrapesThem() throws Exception {
        requireCommand("promtool");
        requireCommand("prometheus");
        Process rulesCheck = new ProcessBuilder("promtool", "check", "rules", RULES.toString()).redirectErrorStream(true)
            .start();
        String rulesOutput = new String(rulesCheck.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(rulesCheck.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(rulesCheck.exitValue()).as("promtool check rules: %s", rulesOutput).isZero();
        try (FerriteNode node = startNode(); FerriteClient client = FerriteClient.connect(clientFor(node))) {
            sendAndAwait(client, 700);
            Path scraped = dir.resolve("metrics.txt");
            Files.writeString(scraped, get(node, "/metrics", "text/plain").body());
            Process check = new ProcessBuilder("promtool", "check", "metrics").redirectInput(scraped.toFile())
                .redirectErrorStream(true).start();
            String checkOutput = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(check.exitValue()).as("promtool check metrics: %s", checkOutput).isZero();

            int prometheusPort = freePort();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: ['%s']
                scrape_configs:
                  - job_name: ferrite
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(RULES, node.adminPort()));
            Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                String query = "http://127.0.0.1:" + prometheusPort + "/api/v1/query?query="
                    + URLEncoder.encode("ferrite_server_events_total{job=\"ferrite\",outcome=\"accepted\"}",
                    StandardCharsets.UTF_8);
                String[] last = {""};
                Await.until("Prometheus scraped the node and answers 700 accepted", WAIT, () -> {
                    last[0] = queryQuietly(query);
                    return last[0].contains("\"700\"");
                }, () -> "last answer: " + last[0] + "; log: " + logTail(dir.resolve("prometheus.log")));
                assertThat(last[0]).contains("\"status\":\"success\"").contains("\"instance\":\"127.0.0.1:"
                    + node.adminPort() + "\"");
                String rulesUrl = "http://127.0.0.1:" + prometheusPort + "/api/v1/rules";
                Await.until("the 7 shipped rules evaluate without error", WAIT, () -> {
                    last[0] = queryQuietly(rulesUrl);
                    return last[0].split("\"health\":\"ok\"", -1).length - 1 == 7;
                }, () -> "rules: " + last[0]);
                assertThat(last[0]).doesNotContain("\"health\":\"err\"");
            } finally {
                prometheus.destroy();
                prometheus.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private FerriteNode startNode() {
        return FerriteNode.builder(TestNode.asyncEngine(dir.resolve("journal")).stage("record", new RecordingHandler()))
            .server(TestNode.config()).admin(0).start();
    }

    @Test
    void everySeriesTheShippedRulesAndDashboardNameIsExposed() throws Exception {
        try (FerriteNode node = startNode(); FerriteClient client = FerriteClient.connect(clientFor(node))) {
            sendAndAwait(client, 10);
            node.observer().sample();
            String metrics = get(node, "/metrics", "text/plain").body();
            Set<String> exposed = new HashSet<>();
            Matcher names = Pattern.compile("(?m)^([a-z_]+)[{ ]").matcher(metrics);
            while (names.find()) {
                exposed.add(names.group(1));
            }
            for (Path file : List.of(RULES, GRAFANA)) {
                Matcher used = Pattern.compile("\\b((?:ferrite|jvm|process)_[a-z_]+)\\b")
                    .matcher(Files.readString(file));
                int count = 0;
                while (used.find()) {
                    count++;
                    assertThat(exposed).as("%s names %s", file.getFileName(), used.group(1)).contains(used.group(1));
                }
                assertThat(count).as("series named in %s", file).isGreaterThan(5);
            }
        }
    }

    private static ClientConfig clientFor(FerriteNode node) {
        return ClientConfig.builder("127.0.0.1", node.port()).build();
    }

    private static void sendAndAwait(FerriteClient client, int events) throws InterruptedException {
        long last = 0;
        for (int i = 1; i <= events; i++) {
            last = client.publish(1, i, i, 0, new byte[16]);
        }
        client.flush();
        assertThat(client.awaitAcked(last, WAIT)).isTrue();
    }

    private HttpResponse<String> get(FerriteNode node, String path, String accept) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
            .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String queryQuietly(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "not answering yet: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String logTail(Path log) {
        try {
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.length() - 2_000));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** In CI ({@code CI=true}) a missing tool fails the test: {@code .ci/run} installs it. Elsewhere it skips. */
    private static void requireCommand(String command) throws Exception {
        boolean found = new ProcessBuilder("sh", "-c", "command -v " + command).start().waitFor() == 0;
        if (!found && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(command + " is not installed; .ci/run installs Debian's prometheus package");
        }
        Assumptions.assumeTrue(found, command + " is not installed (apt-get install prometheus); skipping");
    }
}
