package io.ferrite.cli;

import io.ferrite.kafka.RecordMapping;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test helpers for the lanes' tests: the nodes' {@code /lanes}, a seeder that produces keyed events with an
 * eventId header and records which ones the broker acknowledged, and a read_committed verifier
 * of the output topic.
 *
 * <p>Thread-safety: a seeder from one thread (its acknowledgements arrive on the producer's); a
 * verifier from one thread.
 */
final class KafkaCluster {
    private static final Pattern LANES = Pattern.compile("\"lanes\":(\\d+)");
    private static final Pattern OUTPUTS = Pattern.compile("\"outputs\":[1-9]");

    private KafkaCluster() {
    }

    /** The admin port of a started {@code ferrite run}, from its ready line. */
    static String adminPort(CliProcess node, Duration timeout) {
        String line = node.awaitLine("ferrite listening on ", timeout);
        return line.substring(line.lastIndexOf("admin=") + "admin=".length()).trim();
    }

    static String lanesUrl(String adminPort) {
        return "http://127.0.0.1:" + adminPort + "/lanes";
    }

    /** How many lanes the node at {@code adminPort} runs now, or -1 when it does not answer. */
    static int lanes(String adminPort) {
        Matcher matcher = LANES.matcher(AdminHttp.get(lanesUrl(adminPort)));
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    /** Whether a lane of the node at {@code adminPort} has output an event. */
    static boolean outputs(String adminPort) {
        return OUTPUTS.matcher(AdminHttp.get(lanesUrl(adminPort))).find();
    }

    /** Produces {@code {"k":KEY,"seq":N}} records keyed {@code kKEY}, eventId header = a running number from 1. */
    static final class Seeder implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;
        private final int keys;
        private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        private final Map<Integer, Integer> nextSequence = new HashMap<>();
        private long nextEventId = 1;

        Seeder(String bootstrap, String topic, int keys) {
            this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 2), new ByteArraySerializer(), new ByteArraySerializer());
            this.topic = topic;
            this.keys = keys;
        }

        /** Sends the next event (keys in turn); its eventId is recorded once the broker acknowledges it. */
        void send() {
            long eventId = nextEventId++;
            int key = (int) (eventId % keys);
            int sequence = nextSequence.merge(key, 1, Integer::sum);
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic,
                ("k" + key).getBytes(StandardCharsets.UTF_8),
                ("{\"k\":" + key + ",\"seq\":" + sequence + "}").getBytes(StandardCharsets.UTF_8));
            record.headers().add(RecordMapping.EVENT_ID, ByteBuffer.allocate(8).putLong(eventId).array());
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    acknowledged.add(eventId);
                }
            });
        }

        long sent() {
            return nextEventId - 1;
        }

        void flush() {
            producer.flush();
        }

        Set<Long> acknowledged() {
            return acknowledged;
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    /** What a read_committed reader of the output topic found. */
    static final class Outputs {
        private static final Pattern BODY = Pattern.compile("\\{\"k\":(\\d+),\"seq\":(\\d+)}");
        final Map<Long, Integer> timesByEventId = new HashMap<>();
        final Map<Integer, List<Integer>> sequencesByKey = new HashMap<>();
        long records;

        void add(ConsumerRecord<byte[], byte[]> record) {
            records++;
            long eventId = ByteBuffer.wrap(record.headers().lastHeader(RecordMapping.EVENT_ID).value()).getLong();
            timesByEventId.merge(eventId, 1, Integer::sum);
            Matcher body = BODY.matcher(new String(record.value(), StandardCharsets.UTF_8));
            if (!body.matches()) {
                throw new AssertionError("an output that is no input: "
                    + new String(record.value(), StandardCharsets.UTF_8));
            }
            sequencesByKey.computeIfAbsent(Integer.parseInt(body.group(1)), k -> new ArrayList<>())
                .add(Integer.parseInt(body.group(2)));
        }

        /** Keys whose sequences are not strictly increasing in output order (each key lives in one partition). */
        List<Integer> keysOutOfOrder() {
            List<Integer> wrong = new ArrayList<>();
            sequencesByKey.forEach((key, sequences) -> {
                for (int i = 1; i < sequences.size(); i++) {
                    if (sequences.get(i) <= sequences.get(i - 1)) {
                        wrong.add(key);
                        return;
                    }
                }
            });
            return wrong;
        }

        /** As {@link #keysOutOfOrder()}, over each sequence's first output only (at least once repeats some). */
        List<Integer> keysOutOfOrderFirstSeen() {
            List<Integer> wrong = new ArrayList<>();
            sequencesByKey.forEach((key, sequences) -> {
                java.util.Set<Integer> seen = new java.util.HashSet<>();
                int last = 0;
                for (int sequence : sequences) {
                    if (seen.add(sequence)) {
                        if (sequence <= last) {
                            wrong.add(key);
                            return;
                        }
                        last = sequence;
                    }
                }
            });
            return wrong;
        }

        List<Long> duplicates() {
            return timesByEventId.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted()
                .toList();
        }
    }

    /** Reads the whole topic, read_committed, until {@code done} holds for what was read or the time is up. */
    static Outputs readCommitted(String bootstrap, String topic, Duration timeout,
                                 java.util.function.Predicate<Outputs> done) {
        Outputs outputs = new Outputs();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(outputs) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(outputs::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(outputs::add); // anything after: a duplicate would show
        }
        return outputs;
    }
}
