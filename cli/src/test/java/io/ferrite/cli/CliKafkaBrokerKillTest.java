package io.ferrite.cli;

import io.ferrite.testing.Await;
import io.ferrite.testing.KafkaBroker;
import io.ferrite.testing.KafkaClusterNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.ferrite.cli.KafkaCluster.adminPort;
import static io.ferrite.cli.KafkaCluster.lanes;
import static io.ferrite.cli.KafkaCluster.lanesUrl;
import static io.ferrite.cli.KafkaCluster.outputs;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three Kafka brokers, each a process of its own (KRaft, combined broker and controller,
 * replication factor 3, min ISR 2), two {@code ferrite run} nodes in one group with exactly-once
 * lanes, a seeder producing with acks=all. One broker — partition leaders, maybe the group or
 * transaction coordinator — is killed with SIGKILL mid-stream; leadership moves, the lanes' requests
 * to it fail over or their transactions abort and the lanes rebuild from the committed offsets; a
 * read_committed reader finds every acknowledged event's output exactly once, each key in order.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class CliKafkaBrokerKillTest {
    private static final int BROKERS = 3;
    private static final int PARTITIONS = 4;
    private static final Duration START = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void aKilledBrokerLosesNoAcknowledgedEventsOutputAndDuplicatesNone() throws Exception {
        List<CliProcess> brokers = new ArrayList<>();
        List<CliProcess> nodes = new ArrayList<>();
        try {
            int[] ports = new int[BROKERS];
            int[] controllers = new int[BROKERS];
            List<String> voters = new ArrayList<>();
            for (int i = 0; i < BROKERS; i++) {
                ports[i] = KafkaBroker.freePort();
                controllers[i] = KafkaBroker.freePort();
                voters.add((i + 1) + "@127.0.0.1:" + controllers[i]);
            }
            String clusterId = Uuid.randomUuid().toString();
            for (int i = 0; i < BROKERS; i++) {
                brokers.add(CliProcess.startMain(KafkaClusterNode.class, Integer.toString(i + 1),
                    Integer.toString(ports[i]), Integer.toString(controllers[i]), String.join(",", voters),
                    dir.resolve("broker-" + (i + 1)).toString(), clusterId, Integer.toString(BROKERS),
                    "group.consumer.session.timeout.ms=6000", "group.consumer.min.session.timeout.ms=1000",
                    "group.consumer.heartbeat.interval.ms=500", "group.consumer.min.heartbeat.interval.ms=100",
                    "broker.session.timeout.ms=3000", "broker.heartbeat.interval.ms=500"));
            }
            for (int i = 0; i < BROKERS; i++) {
                brokers.get(i).awaitLine("kafka node " + (i + 1) + " ready", START);
            }
            String bootstrap = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic("in", PARTITIONS, (short) BROKERS),
                    new NewTopic("out", PARTITIONS, (short) BROKERS))).all().get(60, TimeUnit.SECONDS);
            }
            for (String name : List.of("a", "b")) {
                CliProcess node = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--journal",
                    dir.resolve(name).toString(), "--kafka-bootstrap", bootstrap, "--kafka-topic", "in",
                    "--kafka-group", "g", "--kafka-output-topic", "out", "--kafka-instance-id", name);
                nodes.add(node);
                node.awaitReady(START);
            }
            String adminA = adminPort(nodes.get(0), START);
            String adminB = adminPort(nodes.get(1), START);
            Await.until("both nodes own lanes", START,
                () -> lanes(adminA) >= 1 && lanes(adminB) >= 1 && lanes(adminA) + lanes(adminB) == PARTITIONS,
                () -> AdminHttp.get(lanesUrl(adminA)) + "\n" + AdminHttp.get(lanesUrl(adminB)));

            try (KafkaCluster.Seeder seeder = new KafkaCluster.Seeder(bootstrap, "in", 40)) {
                for (int i = 0; i < 3_000; i++) {
                    seeder.send();
                }
                seeder.flush();
                Await.until("both nodes output events", Duration.ofSeconds(60),
                    () -> outputs(adminA)
                        && outputs(adminB));
                for (int i = 0; i < 2_000; i++) {
                    seeder.send();
                }
                brokers.get(1).kill();
                for (int i = 0; i < 3_000; i++) {
                    seeder.send();
                }
                seeder.flush();
                Set<Long> acknowledged = new HashSet<>(seeder.acknowledged());
                assertThat(acknowledged).hasSize(8_000);
                KafkaCluster.Outputs outputs = KafkaCluster.readCommitted(bootstrap, "out", Duration.ofSeconds(180),
                    read -> read.timesByEventId.keySet().containsAll(acknowledged));
                assertThat(acknowledged).allMatch(outputs.timesByEventId::containsKey);
                assertThat(outputs.duplicates()).as("eventIds output more than once").isEmpty();
                assertThat(outputs.keysOutOfOrder()).as("keys output out of order").isEmpty();
                System.out.println("after the broker kill: lanes A " + AdminHttp.get(lanesUrl(adminA)));
                System.out.println("after the broker kill: lanes B " + AdminHttp.get(lanesUrl(adminB)));
            }
            for (CliProcess node : nodes) {
                assertThat(node.terminate(Duration.ofSeconds(90))).isZero();
            }
        } finally {
            for (CliProcess node : nodes) {
                node.close();
            }
            for (CliProcess broker : brokers) {
                broker.close();
            }
        }
    }



}
