package io.ferrite.kafka;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.metrics.MetricRegistry;
import io.ferrite.testing.Await;
import io.ferrite.testing.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link KafkaLanes} in this JVM against a real KRaft broker: a lane's state is reused after a
 * clean close and rebuilt when its journal went past its last commit; at least once outputs every
 * record; a record too large for the lane is counted and skipped, and the records after it are not.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KafkaLanesTest {
    private static KafkaBroker broker;
    private static int topics;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(0, null, KafkaBroker.quickGroups());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void aCleanlyClosedLaneIsReusedAndOneWhoseJournalWentPastItsCommitIsRebuilt() throws Exception {
        String in = topic(1);
        String out = topic(1);
        produce(in, 0, 500, 0);
        KafkaLanes.Settings settings = settings(in, out, "reuse", Guarantee.EXACTLY_ONCE);
        try (KafkaLanes lanes = KafkaLanes.start(settings, new MetricRegistry())) {
            awaitCommitted(lanes, 500);
        }
        Path lane = dir.resolve("lanes").resolve(in + "-0");
        assertThat(LaneCheckpoint.read(lane)).isEqualTo(new LaneCheckpoint(500, 500));

        produce(in, 500, 100, 0);
        try (KafkaLanes lanes = KafkaLanes.start(settings, new MetricRegistry())) {
            awaitCommitted(lanes, 600);
            assertThat(lanes.statusJson()).contains("\"journal\":\"reused\"");
        }
        assertThat(LaneCheckpoint.read(lane)).isEqualTo(new LaneCheckpoint(600, 600));

        // As after a crash between a commit and the next: the journal holds more than the checkpoint says.
        new LaneCheckpoint(600, 599).write(lane);
        produce(in, 600, 10, 0);
        try (KafkaLanes lanes = KafkaLanes.start(settings, new MetricRegistry())) {
            awaitCommitted(lanes, 610);
            assertThat(lanes.statusJson()).contains("\"journal\":\"rebuilt\"");
        }
        assertThat(LaneCheckpoint.read(lane)).isEqualTo(new LaneCheckpoint(610, 10));
        List<ConsumerRecord<byte[], byte[]>> outputs = readCommitted(out, 610);
        assertThat(outputs).hasSize(610);
        assertThat(outputs).extracting(record -> ByteBuffer.wrap(record.headers().lastHeader(RecordMapping.EVENT_ID)
            .value()).getLong()).doesNotHaveDuplicates();
        assertThat(new String(outputs.get(42).headers().lastHeader(RecordMapping.SOURCE).value(), StandardCharsets.UTF_8))
            .isEqualTo(in + "-0@42");
    }

    @Test
    void atLeastOnceOutputsEveryRecordAndARecordTooLargeIsSkippedAlone() throws Exception {
        String in = topic(2);
        String out = topic(2);
        produce(in, 0, 300, 0);
        produce(in, 300, 1, 4_000); // too large for the lane below
        produce(in, 301, 300, 0);
        KafkaLanes.Settings settings = new KafkaLanes.Settings(broker.bootstrap(), in, "alo", "node-1", out,
            Guarantee.AT_LEAST_ONCE, Duration.ofMillis(50), 7, 1_024, Map.of(), dir.resolve("lanes"),
            () -> Engine.builder().durability(Durability.ASYNC), null);
        try (KafkaLanes lanes = KafkaLanes.start(settings, new MetricRegistry())) {
            Await.until("600 events output", Duration.ofSeconds(60), () -> outputs(lanes.statusJson()) == 600,
                lanes::statusJson);
            assertThat(lanes.statusJson()).contains("\"rejected\":1").contains("\"guarantee\":\"at-least-once\"");
        }
        List<ConsumerRecord<byte[], byte[]>> outputs = readCommitted(out, 600);
        assertThat(outputs).hasSize(600);
        assertThat(outputs).allMatch(record -> ByteBuffer.wrap(record.headers().lastHeader(RecordMapping.TYPE).value())
            .getInt() == 7);
        try (KafkaConsumer<byte[], byte[]> group = consumer("alo")) {
            var committed = group.committed(java.util.Set.of(new TopicPartition(in, 0), new TopicPartition(in, 1)));
            assertThat(committed.values().stream().mapToLong(offset -> offset.offset()).sum()).isEqualTo(601);
        }
    }

    private KafkaLanes.Settings settings(String in, String out, String group, Guarantee guarantee) {
        return new KafkaLanes.Settings(broker.bootstrap(), in, group, null, out, guarantee, Duration.ofMillis(50), 1,
            1 << 20, Map.of(), dir.resolve("lanes"), () -> Engine.builder().durability(Durability.ASYNC), null);
    }

    private static String topic(int partitions) throws Exception {
        String name = "t" + (++topics);
        broker.createTopic(name, partitions);
        return name;
    }

    /** {@code count} records with eventIds from {@code first + 1}, to partition {@code first % partitions} in turn. */
    private static void produce(String topic, int first, int count, int valueBytes) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(), ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1 << 20), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = first; i < first + count; i++) {
                byte[] value = valueBytes > 0 ? new byte[valueBytes] : ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, ("key" + (i % 8))
                    .getBytes(StandardCharsets.UTF_8), value);
                record.headers().add(RecordMapping.EVENT_ID, RecordMapping.longBytes(i + 1));
                producer.send(record);
            }
        }
    }

    private static void awaitCommitted(KafkaLanes lanes, long offset) {
        Await.until("offset " + offset + " committed", Duration.ofSeconds(60),
            () -> lanes.statusJson().contains("\"committedOffset\":" + offset), lanes::statusJson);
    }

    private static long outputs(String status) {
        Matcher matcher = Pattern.compile("\"outputs\":(\\d+)").matcher(status);
        long sum = 0;
        while (matcher.find()) {
            sum += Long.parseLong(matcher.group(1));
        }
        return sum;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String group) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
            ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
            new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("reader-" + topic)) {
            consumer.subscribe(List.of(topic));
            Await.until(expected + " records read back", Duration.ofSeconds(60), () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            }, () -> records.size() + " read");
            consumer.poll(Duration.ofMillis(500)).forEach(records::add); // more would be duplicates
        }
        records.sort(java.util.Comparator.comparingInt(ConsumerRecord<byte[], byte[]>::partition)
            .thenComparingLong(ConsumerRecord::offset));
        return records;
    }

}
