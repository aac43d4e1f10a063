package io.ferrite.cli;

import io.ferrite.testing.Await;
import io.ferrite.testing.KafkaBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two {@code ferrite run} nodes (child JVMs) in one consumer group on a 4-partition topic of a
 * real broker (KRaft, in the test JVM, sessions of 6 s). A seeder produces keyed events and
 * records what the broker acknowledged; node A is killed with SIGKILL mid-stream; its partitions
 * move to node B; a read_committed reader of the output topic then finds every acknowledged
 * event's output exactly once and each key's events in order. A restarts with the same instance
 * id, rejoins and takes partitions back; what is sent after is output exactly once too.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CliKafkaFailoverTest {
    private static final int PARTITIONS = 4;
    private static final int KEYS = 40;
    private static final Pattern LANES = Pattern.compile("\"lanes\":(\\d+)");
    private static final Pattern OUTPUTS = Pattern.compile("\"outputs\":[1-9]");
    private static final Duration NODE_START = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private KafkaBroker broker;

    @BeforeEach
    void startBroker() throws Exception {
        broker = KafkaBroker.start(0, null, KafkaBroker.quickGroups());
        broker.createTopic("in", PARTITIONS);
        broker.createTopic("out", PARTITIONS);
    }

    @AfterEach
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aKilledNodesPartitionsMoveAndEveryAcknowledgedEventIsOutputExactlyOnceInKeyOrder() throws Exception {
        try (CliProcess a = node("a"); CliProcess b = node("b");
             KafkaCluster.Seeder seeder = new KafkaCluster.Seeder(broker.bootstrap(), "in", KEYS)) {
            String adminA = adminPort(a);
            String adminB = adminPort(b);
            Await.until("both nodes own lanes, all " + PARTITIONS + " partitions between them", Duration.ofSeconds(60),
                () -> lanes(adminA) >= 1 && lanes(adminB) >= 1 && lanes(adminA) + lanes(adminB) == PARTITIONS,
                () -> "A: " + AdminHttp.get(lanesUrl(adminA)) + "\nB: " + AdminHttp.get(lanesUrl(adminB)));

            for (int i = 0; i < 3_000; i++) {
                seeder.send();
            }
            seeder.flush();
            Await.until("node A outputs events", Duration.ofSeconds(30),
                () -> OUTPUTS.matcher(AdminHttp.get(lanesUrl(adminA))).find(), () -> AdminHttp.get(lanesUrl(adminA)));
            for (int i = 0; i < 2_000; i++) {
                seeder.send(); // still arriving while A dies
            }
            a.kill();
            long killed = System.nanoTime();
            for (int i = 0; i < 3_000; i++) {
                seeder.send();
            }
            seeder.flush();
            Await.until("node B owns every partition", Duration.ofSeconds(60), () -> lanes(adminB) == PARTITIONS,
                () -> AdminHttp.get(lanesUrl(adminB)) + "\n" + tail(b.output()) + "\n" + threadDump(b.pid()));
            System.out.printf("failover: %d ms from kill -9 to node B running all %d lanes%n",
                (System.nanoTime() - killed) / 1_000_000, PARTITIONS);

            Set<Long> acknowledged = new HashSet<>(seeder.acknowledged());
            assertThat(acknowledged).hasSize(8_000);
            KafkaCluster.Outputs outputs = KafkaCluster.readCommitted(broker.bootstrap(), "out", Duration.ofSeconds(90),
                read -> read.timesByEventId.keySet().containsAll(acknowledged));
            assertThat(acknowledged).allMatch(outputs.timesByEventId::containsKey);
            assertThat(outputs.duplicates()).as("eventIds output more than once").isEmpty();
            assertThat(outputs.keysOutOfOrder()).as("keys whose events were output out of order").isEmpty();
            assertThat(AdminHttp.metric(adminB, "ferrite_kafka_rebalances_total")).isGreaterThanOrEqualTo(2);
            assertThat(AdminHttp.get("http://127.0.0.1:" + adminB + "/metrics")).contains("ferrite_lane_events_total{partition=\"");
            CliRun status = CliRun.of("status", "--admin-port", adminB);
            assertThat(status.status()).as("%s", status).isZero();
            assertThat(status.out()).contains("kafka: group g, topic in, member b, exactly-once, output out; 4 lanes")
                .containsPattern("(?m)^\\s+0  running ");

            try (CliProcess restarted = node("a")) {
                String adminRestarted = adminPort(restarted);
                Await.until("the restarted node A takes partitions back", Duration.ofSeconds(60),
                    () -> lanes(adminRestarted) >= 1 && lanes(adminB) < PARTITIONS,
                    () -> "A: " + AdminHttp.get(lanesUrl(adminRestarted)) + "\nB: " + AdminHttp.get(lanesUrl(adminB)));
                for (int i = 0; i < 2_000; i++) {
                    seeder.send();
                }
                seeder.flush();
                Set<Long> all = new HashSet<>(seeder.acknowledged());
                assertThat(all).hasSize(10_000);
                KafkaCluster.Outputs after = KafkaCluster.readCommitted(broker.bootstrap(), "out", Duration.ofSeconds(90),
                    read -> read.timesByEventId.keySet().containsAll(all));
                assertThat(all).allMatch(after.timesByEventId::containsKey);
                assertThat(after.duplicates()).as("eventIds output more than once").isEmpty();
                assertThat(after.keysOutOfOrder()).isEmpty();
                assertThat(restarted.terminate(Duration.ofSeconds(60))).isZero();
            }
        }
    }

    private CliProcess node(String name) throws Exception {
        CliProcess node = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--journal",
            dir.resolve(name).toString(), "--kafka-bootstrap", broker.bootstrap(), "--kafka-topic", "in",
            "--kafka-group", "g", "--kafka-output-topic", "out", "--kafka-instance-id", name);
        node.awaitReady(NODE_START);
        return node;
    }

    private static String adminPort(CliProcess node) {
        String line = node.awaitLine("ferrite listening on ", NODE_START);
        return line.substring(line.lastIndexOf("admin=") + "admin=".length()).trim();
    }

    private static String tail(String output) {
        String[] lines = output.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
    }

    private static String threadDump(long pid) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(jcmd.getInputStream().readAllBytes());
            int lanes = dump.indexOf("\"ferrite-kafka-lanes\"");
            return lanes < 0 ? dump : dump.substring(lanes, Math.min(dump.length(), lanes + 4_000));
        } catch (java.io.IOException e) {
            return "no thread dump: " + e;
        }
    }

    private static String lanesUrl(String adminPort) {
        return "http://127.0.0.1:" + adminPort + "/lanes";
    }

    private static int lanes(String adminPort) {
        Matcher matcher = LANES.matcher(AdminHttp.get(lanesUrl(adminPort)));
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }
}
