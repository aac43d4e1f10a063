package io.ferrite.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ferrite demo}, short: both phases run against the in-process server and the report reads
 * as documented; while it lingers, {@code ferrite query} and {@code GET /query} answer from its
 * journal and {@code GET /windows} shows its one-second windows per key.
 */
class DemoCommandTest {
    private static final Pattern PHASE_ROW = Pattern.compile(
        "(?m)^(1\\. maximum throughput|2\\. fixed rate)\\s+([\\d,]+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+count "
            + "(\\d+\\.\\d) / (\\d+\\.\\d)  per-key (\\d+\\.\\d) / (\\d+\\.\\d)  index (\\d+\\.\\d) / (\\d+\\.\\d)$");

    @Test
    void theExamplePipelineRunsInTheDemo() {
        CliRun demo = CliRun.of("demo", "--seconds", "2", "--rate", "5000", "--warmup", "0s", "--pipeline",
            Path.of("..", "examples", "pipeline.yaml").toString());
        assertThat(demo.status()).as("%s", demo).isZero();
        assertThat(demo.out()).contains("pipeline ../examples/pipeline.yaml: 4 stages").contains("audit").contains("urgent");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void whileItLingersTheDemoAnswersQueriesAndShowsItsWindows() throws Exception {
        try (CliProcess demo = CliProcess.start("demo", "--seconds", "3", "--rate", "5000", "--linger", "20s")) {
            String lingering = demo.awaitLine("the server stays up", Duration.ofSeconds(90));
            String out = demo.output();
            Matcher windows = Pattern.compile("windows: (http://127\\.0\\.0\\.1:\\d+)/windows").matcher(out);
            Matcher journal = Pattern.compile("journal=([^ ,]+),").matcher(out);
            assertThat(windows.find() && journal.find()).as(out).isTrue();
            String admin = windows.group(1);

            String open = get(admin + "/windows");
            assertThat(open).contains("\"name\":\"per-key\"", "\"groupBy\":\"key\"").containsPattern("\"closed\":[1-9]");

            CliRun cli = CliRun.of("query", "--journal", journal.group(1), "--key", "7", "--count");
            assertThat(cli.status()).as(cli.err()).isZero();
            long counted = Long.parseLong(cli.out().trim());
            assertThat(counted).as("events of key 7 in the demo's journal").isPositive();
            assertThat(cli.err()).contains("key=7: " + counted + " matched; index");
            assertThat(get(admin + "/query?key=7&count=true")).contains("\"matched\":" + counted + ",", "\"complete\":true");
            assertThat(get(admin + "/query?key=7&limit=2")).containsPattern("\"events\":\\[\\{\"index\":\\d+,\"type\":1,\"key\":7,");
            assertThat(lingering).isNotEmpty();
            demo.awaitLine("What the numbers mean:", Duration.ofSeconds(60)); // the linger ends, the demo cleans up
        }
    }

    private static String get(String url) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("%s: %s", url, response.body()).isEqualTo(200);
            return response.body();
        }
    }

    @Test
    void bothPhasesRunAndTheReportGivesEachOnesFigures() {
        CliRun demo = CliRun.of("demo", "--seconds", "2", "--rate", "5000", "--warmup", "1s");
        assertThat(demo.status()).as("%s", demo).isZero();
        String out = demo.out();
        assertThat(out).contains("1. maximum throughput (1 s)", "2. fixed rate (1 s): 5,000 events/s", "What the numbers mean:")
            .contains("  the first 1s is warm-up: sent and checked, not counted")
            .containsPattern("live dashboard: http://127\\.0\\.0\\.1:\\d+/dashboard");
        Matcher rows = PHASE_ROW.matcher(out);
        int found = 0;
        while (rows.find()) {
            found++;
            long eventsPerSecond = Long.parseLong(rows.group(2).replace(",", ""));
            assertThat(eventsPerSecond).as("events/s of %s", rows.group(1)).isPositive();
            assertThat(Long.parseLong(rows.group(3))).as("p50 <= p99").isLessThanOrEqualTo(Long.parseLong(rows.group(4)));
            if (rows.group(1).startsWith("2.")) {
                assertThat(eventsPerSecond).as("the fixed rate is kept").isBetween(4_000L, 6_000L);
            }
        }
        assertThat(found).as("two phase rows in:\n%s", out).isEqualTo(2);
        Matcher journaled = Pattern.compile("journaled=(\\d+) duplicates=0").matcher(out);
        assertThat(journaled.find()).as(out).isTrue();
        assertThat(Long.parseLong(journaled.group(1))).as("phase 1, then 2 s at 5,000/s of which 1 s counted")
            .isGreaterThan(10_000);
    }
}
