package io.ferrite.cli;

import io.ferrite.client.ClientConfig;
import io.ferrite.client.ClientResult;
import io.ferrite.client.FerriteClient;
import io.ferrite.testing.Await;
import io.ferrite.testing.Chromium;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A window stage in {@code ferrite run}, fed over TCP with events whose timestamps span five
 * seconds: the closed windows reach the file with each key's count and the amount's sum, mean and
 * p99; {@code GET /windows} shows the window still open; the dashboard, loaded in headless
 * Chromium, shows it too. A bad window option stops the server with the file, line and option.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CliWindowsTest {
    private static final long T0 = 1_796_000_000_000_000_000L;
    private static final long MS = 1_000_000L;

    @TempDir
    Path dir;

    @Test
    void closedWindowsReachTheFileAndTheOpenOneShowsOnWindowsAndTheDashboard() throws Exception {
        Path out = dir.resolve("per-key.jsonl");
        Path pipeline = Files.writeString(dir.resolve("windows.yaml"), """
            stages:
              - name: per-key
                use: window
                route: {type: 1}
                with: {size: 1s, grace: 100ms, field: amount, percentiles: true, emit: per-key.jsonl}
            """);
        try (CliProcess server = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--journal",
            dir.resolve("journal").toString(), "--cpus", "none", "--pipeline", pipeline.toString())) {
            int port = server.awaitReady(Duration.ofSeconds(60));
            String admin = "http://127.0.0.1:" + server.awaitLine("ferrite listening on ", Duration.ofSeconds(1))
                .replaceAll(".* admin=", "");
            try (FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", port).build())) {
                long last = 0;
                for (int i = 0; i < 5_000; i++) { // 1 ms apart: five one-second windows, keys 0..4, amounts 1..100
                    byte[] payload = ("{\"amount\":" + (1 + i % 100) + "}").getBytes(StandardCharsets.UTF_8);
                    long sent;
                    while ((sent = client.publish(1, i % 5, i + 1, T0 + i * MS, 0, payload, 0, payload.length))
                        == ClientResult.BACK_PRESSURED) {
                        client.flush();
                    }
                    last = sent;
                }
                client.flush();
                assertThat(client.awaitAcked(last, Duration.ofSeconds(30))).isTrue();
            }
            Await.until("four windows closed for five keys", Duration.ofSeconds(30),
                () -> Files.exists(out) && lines(out).size() == 20, () -> out + ": " + (Files.exists(out) ? lines(out) : "none"));
            List<String> closed = lines(out);
            assertThat(closed.getFirst()).contains("\"window\":\"per-key\"", "\"group\":0,", "\"count\":200,",
                "\"rate\":200,", "\"min\":1,", "\"max\":96,", "\"mean\":48.5", "\"p99\":96");

            Await.until("the open window shown", Duration.ofSeconds(10), () -> AdminHttp.get(admin + "/windows").contains("\"events\":1000,"));
            String open = AdminHttp.get(admin + "/windows");
            assertThat(open).contains("\"name\":\"per-key\"", "\"groups\":5", "\"closed\":20", "\"late\":0");

            Chromium.require();
            String dom = Chromium.dumpDom(dir, admin + "/dashboard");
            assertThat(dom).contains("data-window=\"per-key\"", "1,000 events in 5 groups")
                .contains("<th>mean amount</th>");
            assertThat(server.terminate(Duration.ofSeconds(60))).isZero();
        }
    }

    @Test
    void aBadWindowOptionStopsTheServerWithTheLineAndOption() throws Exception {
        Path pipeline = Files.writeString(dir.resolve("bad.yaml"), """
            stages:
              - name: per-key
                use: window
                with: {size: 10s, slide: 3s}
            """);
        CliRun run = CliRun.of("run", "--port", "0", "--journal", dir.resolve("journal").toString(), "--pipeline",
            pipeline.toString());
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("bad.yaml:2: stage per-key: with.slide: must divide size");
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
