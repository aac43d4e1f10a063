package io.ferrite.cli;

import io.ferrite.testing.Await;
import io.ferrite.testing.KafkaBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.ferrite.cli.KafkaCluster.adminPort;
import static io.ferrite.cli.KafkaCluster.lanes;
import static io.ferrite.cli.KafkaCluster.lanesUrl;
import static io.ferrite.cli.KafkaCluster.outputs;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two {@code ferrite run} nodes (child JVMs) in one consumer group on a 4-partition topic of a
 * real broker (KRaft, in the test JVM, sessions of 6 s). A seeder produces keyed events and
 * records what the broker acknowledged; one node is killed with SIGKILL mid-stream; its
 * partitions move to the other; a read_committed reader of the output topic then finds every
 * acknowledged event's output — exactly once and each key's events in order, or (at least once)
 * at least once with each key's first outputs in order. The killed node restarts with the same
 * instance id and journal, rejoins and takes partitions back; what is sent after is output as
 * promised too. One round in every build; 10, killing each node in turn, with
 * {@code -Dferrite.faults=long}.
 */
@Timeout(value = 1_800, unit = TimeUnit.SECONDS)
class CliKafkaFailoverTest {
    private static final int PARTITIONS = 4;
    private static final int KEYS = 40;
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

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exactly-once", "at-least-once"})
    void aKilledNodesPartitionsMoveAndEveryAcknowledgedEventIsOutputInKeyOrder(String guarantee) throws Exception {
        boolean exactlyOnce = guarantee.equals("exactly-once");
        int rounds = "long".equals(System.getProperty("ferrite.faults")) ? 10 : 1;
        CliProcess[] nodes = {node("a", guarantee), node("b", guarantee)};
        String[] admin = {adminPort(nodes[0], NODE_START), adminPort(nodes[1], NODE_START)};
        try (KafkaCluster.Seeder seeder = new KafkaCluster.Seeder(broker.bootstrap(), "in", KEYS)) {
            awaitShared(admin);
            for (int round = 0; round < rounds; round++) {
                int victim = round % 2;
                int survivor = 1 - victim;
                for (int i = 0; i < 3_000; i++) {
                    seeder.send();
                }
                seeder.flush();
                String victimAdmin = admin[victim];
                Await.until("node " + name(victim) + " outputs events", Duration.ofSeconds(30),
                    () -> outputs(victimAdmin),
                    () -> AdminHttp.get(lanesUrl(victimAdmin)));
                for (int i = 0; i < 2_000; i++) {
                    seeder.send(); // still arriving while it dies
                }
                nodes[victim].kill();
                long killed = System.nanoTime();
                for (int i = 0; i < 3_000; i++) {
                    seeder.send();
                }
                seeder.flush();
                String survivorAdmin = admin[survivor];
                CliProcess survivorNode = nodes[survivor];
                Await.until("node " + name(survivor) + " owns every partition", Duration.ofSeconds(60),
                    () -> lanes(survivorAdmin) == PARTITIONS, () -> AdminHttp.get(lanesUrl(survivorAdmin)) + "\n"
                        + tail(survivorNode.output()) + "\n" + threadDump(survivorNode.pid()));
                System.out.printf("failover (%s, round %d): %d ms from kill -9 to node %s running all %d lanes%n",
                    guarantee, round + 1, (System.nanoTime() - killed) / 1_000_000, name(survivor), PARTITIONS);
                check(seeder, exactlyOnce);

                nodes[victim] = node(name(victim), guarantee); // the same instance id and journal
                admin[victim] = adminPort(nodes[victim], NODE_START);
                awaitShared(admin);
            }
            int lastSurvivor = 1 - (rounds - 1) % 2; // took every partition, then gave some back
            assertThat(AdminHttp.metric(admin[lastSurvivor], "ferrite_kafka_rebalances_total")).isGreaterThanOrEqualTo(2);
            assertThat(AdminHttp.get("http://127.0.0.1:" + admin[lastSurvivor] + "/metrics"))
                .contains("ferrite_lane_events_total{partition=\"");
            CliRun status = CliRun.of("status", "--admin-port", admin[lastSurvivor]);
            assertThat(status.status()).as("%s", status).isZero();
            assertThat(status.out()).contains("kafka: group g, topic in, member " + name(lastSurvivor) + ", " + guarantee
                + ", output out;")
                .containsPattern("(?m)^\\s+\\d  running ");

            for (int i = 0; i < 2_000; i++) {
                seeder.send();
            }
            seeder.flush();
            check(seeder, exactlyOnce);
            for (CliProcess node : nodes) {
                assertThat(node.terminate(Duration.ofSeconds(60))).isZero();
            }
        } finally {
            for (CliProcess node : nodes) {
                node.close();
            }
        }
    }

    /**
     * Every event the broker acknowledged has an output; exactly once: no eventId twice and each key's
     * events in order; at least once: repeats allowed (counted), each key's first outputs in order.
     */
    private void check(KafkaCluster.Seeder seeder, boolean exactlyOnce) {
        Set<Long> acknowledged = new HashSet<>(seeder.acknowledged());
        assertThat(acknowledged).hasSize((int) seeder.sent());
        KafkaCluster.Outputs outputs = KafkaCluster.readCommitted(broker.bootstrap(), "out", Duration.ofSeconds(90),
            read -> read.timesByEventId.keySet().containsAll(acknowledged));
        assertThat(acknowledged).allMatch(outputs.timesByEventId::containsKey);
        if (exactlyOnce) {
            assertThat(outputs.duplicates()).as("eventIds output more than once").isEmpty();
            assertThat(outputs.keysOutOfOrder()).as("keys whose events were output out of order").isEmpty();
        } else {
            System.out.printf("at-least-once: %d of %d outputs were repeats%n", outputs.records - acknowledged.size(),
                outputs.records);
            assertThat(outputs.keysOutOfOrderFirstSeen()).as("keys whose first outputs are out of order").isEmpty();
        }
    }

    private void awaitShared(String[] admin) {
        Await.until("both nodes own lanes, all " + PARTITIONS + " partitions between them", Duration.ofSeconds(60),
            () -> lanes(admin[0]) >= 1 && lanes(admin[1]) >= 1 && lanes(admin[0]) + lanes(admin[1]) == PARTITIONS,
            () -> "A: " + AdminHttp.get(lanesUrl(admin[0])) + "\nB: " + AdminHttp.get(lanesUrl(admin[1])));
    }

    private static String name(int node) {
        return node == 0 ? "a" : "b";
    }

    private CliProcess node(String name, String guarantee) throws Exception {
        CliProcess node = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--journal",
            dir.resolve(name).toString(), "--kafka-bootstrap", broker.bootstrap(), "--kafka-topic", "in",
            "--kafka-group", "g", "--kafka-output-topic", "out", "--kafka-instance-id", name, "--kafka-guarantee",
            guarantee);
        node.awaitReady(NODE_START);
        return node;
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


}
