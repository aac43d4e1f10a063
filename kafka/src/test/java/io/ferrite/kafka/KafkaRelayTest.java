package io.ferrite.kafka;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.testing.Await;
import io.ferrite.testing.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link KafkaRelay} as a real engine's last stage, forwarding to a real broker: every event reaches
 * the topic with its eventId; with the relay as the engine's ACK gate ({@code --forward-ack kafka})
 * nothing is acknowledgeable while the broker is down, and everything is once it is back.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KafkaRelayTest {
    @TempDir
    Path dir;

    @Test
    void acknowledgementsWaitForKafkaWhileTheBrokerIsDownAndNothingIsLost() throws Exception {
        int port = freePort();
        Path brokerData = dir.resolve("broker");
        KafkaBroker broker = KafkaBroker.start(port, brokerData, Map.of());
        KafkaBroker restarted = null;
        try {
            broker.createTopic("forwarded", 2);
            KafkaRelay relay = new KafkaRelay(broker.bootstrap(), "forwarded", 4_096, Map.of());
            try (Engine engine = Engine.builder().durability(Durability.ASYNC).journal(dir.resolve("journal"))
                .stage("ingest", (event, index, endOfBatch) -> { }).stage("kafka-relay", relay)
                .ackGate(relay::forwardedBelow).build()) {
                MemorySegment payload = MemorySegment.ofArray("{\"n\":1}".getBytes());
                for (long id = 1; id <= 1_000; id++) {
                    assertThat(engine.publish(1, id % 16, id, 0, payload, 0, (int) payload.byteSize())).isEqualTo(id - 1);
                }
                Await.until("1,000 events acknowledged by Kafka", Duration.ofSeconds(60),
                    () -> engine.durableGate() >= 1_000, () -> "gate " + engine.durableGate());

                broker.close();
                for (long id = 1_001; id <= 1_100; id++) {
                    engine.publish(1, id % 16, id, 0, payload, 0, (int) payload.byteSize());
                }
                Await.until("the relay holds the 100 events the broker cannot take", Duration.ofSeconds(30),
                    () -> relay.forwardedBelow() == 1_000 && relay.finishedBelow() == 1_000);
                assertThat(engine.durableGate()).as("nothing sent while the broker is down may be ACKed").isEqualTo(1_000);

                restarted = KafkaBroker.start(port, brokerData, Map.of());
                Await.until("the 100 events acknowledged once the broker is back", Duration.ofSeconds(90),
                    () -> engine.durableGate() >= 1_100, () -> "gate " + engine.durableGate());
            }
            Set<Long> eventIds = new HashSet<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, restarted.bootstrap(), ConsumerConfig.GROUP_ID_CONFIG, "check",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("forwarded"));
                Await.until("1,100 eventIds read back", Duration.ofSeconds(60), () -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(record -> eventIds.add(
                        ByteBuffer.wrap(record.headers().lastHeader(RecordMapping.EVENT_ID).value()).getLong()));
                    return eventIds.size() >= 1_100;
                }, () -> eventIds.size() + " read");
            }
            assertThat(eventIds).hasSize(1_100).contains(1L, 1_100L);
        } finally {
            if (restarted != null) {
                restarted.close();
            } else {
                broker.close();
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }
}
