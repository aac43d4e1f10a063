package io.ferrite.transport.observe;

import io.ferrite.client.ClientConfig;
import io.ferrite.client.FerriteClient;
import io.ferrite.engine.RecordingHandler;
import io.ferrite.testing.Await;
import io.ferrite.testing.Chromium;
import io.ferrite.transport.node.FerriteNode;
import io.ferrite.transport.node.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard as a person sees it: a node under load, a firing alert, and the page loaded in
 * headless Chromium (Debian's package; {@code .ci/run} installs it). The page's script must have
 * fetched {@code /status}, {@code /history} and {@code /alerts} and drawn every chart with the
 * points it got, and shown the alert. A screenshot is left in the test's directory.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardChromiumTest {
    private static final Pattern POINTS = Pattern.compile("id=\"(chart-[a-z]+)\" data-points=\"(\\d+)\"");

    @TempDir
    Path dir;

    @Test
    void theDashboardDrawsItsChartsAndShowsAFiringAlert() throws Exception {
        Chromium.require();
        List<AlertRule> rules = List.of(new AlertRule("ack_latency_p99_high", AlertRule.Severity.HIGH,
            "ACK latency p99 over the window is above the limit", "ms", true, 0.001, Duration.ZERO,
            p -> p.ackP99Nanos() / 1e6));
        AtomicBoolean loading = new AtomicBoolean(true);
        try (FerriteNode node = FerriteNode.builder(TestNode.memoryEngine().stage("record", new RecordingHandler()))
            .server(TestNode.config()).admin(0).observe(Duration.ofMillis(250), 200).alertRules(rules).start();
             FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", node.port()).build())) {
            Thread load = Thread.ofPlatform().name("dashboard-load").start(() -> {
                long id = 0;
                while (loading.get()) { // about 10,000 events a second: a live chart, not a benchmark
                    for (int i = 0; i < 100; i++) {
                        client.publish(1, ++id, id, 0, new byte[32]);
                    }
                    client.flush();
                    LockSupport.parkNanos(10_000_000L);
                }
            });
            try {
                Await.until("eight samples with traffic and the alert firing", Duration.ofSeconds(30), () ->
                    node.observer().history(200).stream().filter(p -> p.acceptedPerSecond() > 0).count() >= 8
                        && !node.observer().alerts().firing().isEmpty());
                String url = "http://127.0.0.1:" + node.adminPort() + "/dashboard";
                String dom = Chromium.dumpDom(dir, url);
                Matcher charts = POINTS.matcher(dom);
                int drawn = 0;
                while (charts.find()) {
                    assertThat(Integer.parseInt(charts.group(2))).as("points in %s", charts.group(1)).isGreaterThanOrEqualTo(8);
                    drawn++;
                }
                assertThat(drawn).as("charts drawn in:\n%s", dom).isEqualTo(4);
                assertThat(dom).contains("class=\"alert firing high\" data-alert=\"ack_latency_p99_high\"")
                    .contains("<canvas").containsPattern("data-refreshed=\"[1-9]");
                assertThat(dom).as("no fetch failed").contains("<span id=\"error\" class=\"muted\"></span>");
                Chromium.run(dir, "--screenshot=" + dir.resolve("dashboard.png"), "--window-size=1400,1000", url);
                assertThat(Files.size(dir.resolve("dashboard.png"))).isGreaterThan(10_000);
            } finally {
                loading.set(false);
                load.join();
            }
        }
    }
}
