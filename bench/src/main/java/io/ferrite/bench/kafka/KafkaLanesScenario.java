package io.ferrite.bench.kafka;

import io.ferrite.bench.engine.TempDirectory;
import io.ferrite.bench.suite.Metric;
import io.ferrite.bench.suite.Sampler;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.TrialResult;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.metrics.MetricRegistry;
import io.ferrite.kafka.Guarantee;
import io.ferrite.kafka.KafkaLanes;
import io.ferrite.kafka.RecordMapping;
import io.ferrite.testing.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One node consuming a topic as Kafka lanes, beside a bare Kafka consumer reading the same
 * records. Each trial fills a fresh topic with {@value #RECORDS} 64-byte records (8-byte keys of
 * 1,024 values, an eventId header each; not timed), then a new group reads it; the trial times
 * from the first record handed to a lane to the last input offset committed (lanes), or from the
 * first record to the last (bare consumer). Lanes: ASYNC journals in a temporary directory, one
 * stage (the output), outputs to a second topic; exactly-once commits every 100 ms in a
 * transaction, at-least-once flushes the outputs and commits the offsets every 100 ms.
 *
 * <p>Thread-safety: single-threaded (the runner's); the lanes run on their own threads.
 */
public final class KafkaLanesScenario implements Scenario {
    private static final int RECORDS = 1_000_000;
    private static final int KEYS = 1_024;

    /** What reads the topic. */
    public enum Reader {
        /** Kafka lanes, outputs and offsets in one transaction per 100 ms. */
        EXACTLY_ONCE,
        /** Kafka lanes, outputs flushed then offsets committed every 100 ms. */
        AT_LEAST_ONCE,
        /** A bare KafkaConsumer (the ceiling: the same fetches, no journal, no outputs). */
        BARE_CONSUMER,
        /** Kafka's own consume-produce loop: each record produced to the output topic, offsets in a 100 ms transaction. */
        FORWARD_EXACTLY_ONCE,
        /** Kafka's own consume-produce loop, outputs flushed then offsets committed every 100 ms. */
        FORWARD_AT_LEAST_ONCE
    }

    private final Reader reader;
    private final int partitions;
    private KafkaBroker broker;
    private TempDirectory directory;
    private int trial;

    public KafkaLanesScenario(Reader reader, int partitions) {
        this.reader = reader;
        this.partitions = partitions;
    }

    @Override
    public String name() {
        return switch (reader) {
            case EXACTLY_ONCE -> "kafka.lanes.exactly-once.p" + partitions;
            case AT_LEAST_ONCE -> "kafka.lanes.at-least-once.p" + partitions;
            case BARE_CONSUMER -> "peer.kafka.consumer.p" + partitions;
            case FORWARD_EXACTLY_ONCE -> "peer.kafka.forward.exactly-once.p" + partitions;
            case FORWARD_AT_LEAST_ONCE -> "peer.kafka.forward.at-least-once.p" + partitions;
        };
    }

    @Override
    public String group() {
        return name().startsWith("peer.") ? "peer" : "kafka";
    }

    @Override
    public String description() {
        return String.format(Locale.ROOT, "%s reading %,d 64-byte records from %d partition(s), KRaft broker in-process%s",
            switch (reader) {
                case EXACTLY_ONCE -> "Kafka lanes (exactly-once, 100 ms transactions, outputs to a topic)";
                case AT_LEAST_ONCE -> "Kafka lanes (at-least-once, 100 ms commits, outputs to a topic)";
                case BARE_CONSUMER -> "A bare KafkaConsumer";
                case FORWARD_EXACTLY_ONCE -> "Kafka clients alone: consume, produce each to a topic, 100 ms transactions";
                case FORWARD_AT_LEAST_ONCE -> "Kafka clients alone: consume, produce each to a topic, 100 ms commits";
            }, RECORDS, partitions, "");
    }

    @Override
    public Metric metric() {
        return Metric.THROUGHPUT;
    }

    @Override
    public List<String> peers() {
        return switch (reader) {
            case EXACTLY_ONCE -> List.of("peer.kafka.forward.exactly-once.p" + partitions, "peer.kafka.consumer.p" + partitions);
            case AT_LEAST_ONCE -> List.of("peer.kafka.forward.at-least-once.p" + partitions,
                "peer.kafka.consumer.p" + partitions);
            default -> List.of();
        };
    }

    @Override
    public void open() throws Exception {
        broker = KafkaBroker.start(0, null, KafkaBroker.quickGroups());
        directory = new TempDirectory();
    }

    @Override
    public TrialResult run(Duration duration, Duration sample) throws Exception {
        String in = "in-" + (++trial);
        String out = "out-" + trial;
        broker.createTopic(in, partitions);
        broker.createTopic(out, partitions);
        fill(in);
        try {
            return switch (reader) {
                case EXACTLY_ONCE, AT_LEAST_ONCE -> lanes(in, out, sample);
                case BARE_CONSUMER -> consume(in, sample);
                case FORWARD_EXACTLY_ONCE, FORWARD_AT_LEAST_ONCE -> forward(in, out, sample);
            };
        } finally {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
                admin.deleteTopics(List.of(in, out)).all().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private void fill(String topic) {
        byte[] value = new byte[64];
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(), ProducerConfig.ACKS_CONFIG, "1",
            ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 65_536),
            new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 1; i <= RECORDS; i++) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, RecordMapping.longBytes(i % KEYS), value);
                record.headers().add(RecordMapping.EVENT_ID, RecordMapping.longBytes(i));
                producer.send(record);
            }
        }
    }

    private TrialResult lanes(String in, String out, Duration sample) throws Exception {
        Path lanesDirectory = directory.path().resolve(in);
        KafkaLanes.Settings settings = new KafkaLanes.Settings(broker.bootstrap(), in, "bench-" + in, null, out,
            reader == Reader.EXACTLY_ONCE ? Guarantee.EXACTLY_ONCE : Guarantee.AT_LEAST_ONCE, Duration.ofMillis(100), 1,
            1 << 20, Map.of(), lanesDirectory, () -> Engine.builder().durability(Durability.ASYNC)
            .dedupWindow(1 << 20, Duration.ofMinutes(5)), null);
        try (KafkaLanes lanes = KafkaLanes.start(settings, new MetricRegistry())) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (lanes.eventsTotal() == 0) {
                check(deadline, "no record reached a lane");
                Thread.onSpinWait();
            }
            long start = System.nanoTime();
            Sampler sampler = Sampler.start(lanes::committedTotal, sample);
            while (lanes.committedTotal() < RECORDS) {
                check(deadline, "committed " + lanes.committedTotal() + " of " + RECORDS);
                Thread.sleep(1);
            }
            long end = System.nanoTime();
            double[] timeline = sampler.stop();
            return TrialResult.of(RECORDS, (end - start) / 1e9, null, timeline, sample.toNanos() / 1e9);
        }
    }

    private TrialResult consume(String in, Duration sample) {
        long[] read = new long[1];
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(), ConsumerConfig.GROUP_ID_CONFIG, "bench-" + in,
            ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(in));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            long start = 0;
            while (read[0] < RECORDS) {
                check(deadline, "read " + read[0] + " of " + RECORDS);
                int count = consumer.poll(Duration.ofMillis(100)).count();
                if (count > 0 && start == 0) {
                    start = System.nanoTime();
                }
                read[0] += count;
            }
            consumer.commitSync();
            long end = System.nanoTime();
            return TrialResult.of(RECORDS, (end - start) / 1e9, null, new double[0], sample.toNanos() / 1e9);
        }
    }

    /** The peer of the lanes: the same consume-produce-commit loop written with Kafka's clients alone. */
    private TrialResult forward(String in, String out, Duration sample) {
        boolean transactions = reader == Reader.FORWARD_EXACTLY_ONCE;
        java.util.Map<String, Object> producerConfig = new java.util.HashMap<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(), ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 5));
        if (transactions) {
            producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-forward-" + in);
        }
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(), ConsumerConfig.GROUP_ID_CONFIG, "bench-" + in,
            ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
            new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
                 new ByteArraySerializer())) {
            if (transactions) {
                producer.initTransactions();
            }
            consumer.subscribe(List.of(in));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            long start = 0;
            long lastCommit = System.nanoTime();
            boolean open = false;
            while (read < RECORDS) {
                check(deadline, "forwarded " + read + " of " + RECORDS);
                var records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                if (start == 0) {
                    start = System.nanoTime();
                }
                if (transactions && !open) {
                    producer.beginTransaction();
                    open = true;
                }
                for (var record : records) {
                    producer.send(new ProducerRecord<>(out, null, record.key(), record.value(), record.headers()));
                }
                read += records.count();
                if (System.nanoTime() - lastCommit >= 100_000_000L || read >= RECORDS) {
                    open = commit(consumer, producer, transactions);
                    lastCommit = System.nanoTime();
                }
            }
            long end = System.nanoTime();
            return TrialResult.of(RECORDS, (end - start) / 1e9, null, new double[0], sample.toNanos() / 1e9);
        }
    }

    /** Commits what was read: in the transaction, or after the outputs are acknowledged; returns false (no transaction open). */
    private static boolean commit(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer,
                                  boolean transactions) {
        java.util.Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets =
            new java.util.HashMap<>();
        for (var partition : consumer.assignment()) {
            offsets.put(partition, new org.apache.kafka.clients.consumer.OffsetAndMetadata(consumer.position(partition)));
        }
        if (transactions) {
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
        } else {
            producer.flush();
            consumer.commitSync(offsets);
        }
        return false;
    }

    private static void check(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("kafka lanes bench: " + what + " after 5 minutes");
        }
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
        if (directory != null) {
            directory.close();
            directory = null;
        }
    }
}
