package io.ferrite.cli;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ferrite status}: how a running node stands, from its admin port — health, rate, ACK
 * latency, stage lag, alerts ({@code GET /status}) and, for a node in a Kafka group, the lanes it
 * owns with their lag and commits ({@code GET /lanes}). {@code --json} prints both documents as
 * they came.
 *
 * <p>Thread-safety: picocli fills the fields, then one thread calls {@link #call()}.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show a running node's health, rate, latency and Kafka lanes (from its admin port).")
final class StatusCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--json", description = "Print /status and /lanes as JSON, one document per line.")
    boolean json;

    @Mixin
    AdminClientOptions admin = new AdminClientOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        try (AdminClientOptions.Connection connection = admin.connect()) {
            HttpResponse<String> status = connection.get("/status", TIMEOUT, HttpResponse.BodyHandlers.ofString());
            if (status.statusCode() != 200) {
                throw new IllegalStateException("GET /status answered HTTP " + status.statusCode() + ": " + status.body().trim());
            }
            HttpResponse<String> lanes = connection.get("/lanes", TIMEOUT, HttpResponse.BodyHandlers.ofString());
            if (json) {
                out.println(status.body().trim());
                out.println(lanes.statusCode() == 200 ? lanes.body().trim() : "null");
            } else {
                printStatus(out, parse(status.body()));
                if (lanes.statusCode() == 200) {
                    printLanes(out, parse(lanes.body()));
                } else {
                    out.println("kafka lanes: none (not started with --kafka-topic)");
                }
            }
        }
        out.flush();
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String json) {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(json); // JSON is YAML 1.2
    }

    @SuppressWarnings("unchecked")
    private static void printStatus(PrintWriter out, Map<String, Object> status) {
        Map<String, Object> rate = (Map<String, Object>) status.get("rate");
        Map<String, Object> ack = (Map<String, Object>) status.get("ackLatencyMicros");
        out.printf(Locale.ROOT, "node: %s, health %s/100, up %ss, %s, durability %s%n", status.get("status"),
            status.get("healthScore"), status.get("uptimeSeconds"), status.get("transport"), status.get("durability"));
        out.printf(Locale.ROOT, "rate: %s accepted/s, %s journaled/s, error rate %s; ACK p50 %s µs, p99 %s µs%n",
            rate.get("acceptedPerSecond"), rate.get("journaledPerSecond"), rate.get("errorRate"), ack.get("p50"),
            ack.get("p99"));
        for (Map<String, Object> stage : (List<Map<String, Object>>) status.get("stages")) {
            out.printf(Locale.ROOT, "stage %s: lag %s, %s/s%n", stage.get("name"), stage.get("lag"),
                stage.get("handledPerSecond"));
        }
        List<Object> firing = (List<Object>) status.get("healthLoweredBy");
        if (firing != null && !firing.isEmpty()) {
            firing.forEach(alert -> out.println("alert: " + alert));
        }
    }

    @SuppressWarnings("unchecked")
    private static void printLanes(PrintWriter out, Map<String, Object> lanes) {
        out.printf(Locale.ROOT, "kafka: group %s, topic %s, member %s, %s, output %s; %s lanes, %s rebalances, %s lost,"
                + " %s rebuilt%n", lanes.get("group"), lanes.get("topic"), lanes.get("instance"), lanes.get("guarantee"),
            lanes.get("output"), lanes.get("lanes"), lanes.get("rebalances"), lanes.get("lost"), lanes.get("rebuilds"));
        out.println("partition  state     journal  position  committed  kafka-lag  local-lag      events     outputs"
            + "  commits  aborts");
        for (Map<String, Object> lane : (List<Map<String, Object>>) lanes.get("partitions")) {
            out.printf(Locale.ROOT, "%9s  %-8s  %-7s  %8s  %9s  %9s  %9s  %10s  %10s  %7s  %6s%n", lane.get("partition"),
                lane.get("state"), lane.get("journal"), lane.get("position"), lane.get("committedOffset"),
                lane.get("kafkaLag"), lane.get("localLag"), lane.get("events"), lane.get("outputs"), lane.get("commits"),
                lane.get("aborts"));
        }
    }
}
