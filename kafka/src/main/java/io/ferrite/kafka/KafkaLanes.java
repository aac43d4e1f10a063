package io.ferrite.kafka;

import io.ferrite.engine.EngineBuilder;
import io.ferrite.engine.metrics.Metric;
import io.ferrite.engine.metrics.MetricRegistry;
import io.ferrite.pipeline.Stages;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A node's membership in a Kafka consumer group: one consumer ({@code group.protocol=consumer},
 * KIP-848; static membership when an instance id is given) on a thread of its own, and one
 * {@link Lane} per partition Kafka assigns this node. Assigned partitions open a lane at Kafka's
 * committed offset; revoked ones drain (every record handed is output and committed) and close;
 * lost ones are abandoned without committing. A lane whose commit failed is rebuilt from the
 * committed offset. Rebalances, rebuilds and aborts are counted and logged.
 *
 * <p>Thread-safety: {@link #start} and {@link #close} from one thread; {@link #statusJson()} from
 * any; everything else runs on the consumer thread.
 */
public final class KafkaLanes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLanes.class);

    /**
     * What the lanes need.
     *
     * @param bootstrap      brokers, {@code host:port,...}
     * @param topic          the input topic
     * @param group          the consumer group (and the prefix of the lanes' transactional ids)
     * @param instanceId     static membership ({@code group.instance.id}), or null
     * @param outputTopic    where each event's output goes, or null (offsets only)
     * @param guarantee      exactly-once (transactions) or at-least-once
     * @param commitInterval how often a lane commits
     * @param defaultType    the event type of records without a type header
     * @param maxRecordBytes the largest record value a lane takes
     * @param clientProperties more Kafka client settings (from a properties file), applied last
     * @param lanesDirectory where lane directories go ({@code TOPIC-PARTITION}), or null (memory)
     * @param laneEngine     a new engine builder with the node's settings, per lane
     * @param laneStages     the pipeline's stages, built anew per lane directory (which may be null), or null
     */
    public record Settings(String bootstrap, String topic, String group, String instanceId, String outputTopic,
                           Guarantee guarantee, Duration commitInterval, int defaultType, int maxRecordBytes,
                           Map<String, String> clientProperties, Path lanesDirectory, Supplier<EngineBuilder> laneEngine,
                           Function<Path, List<Stages.Built>> laneStages) {
        public Settings {
            if (bootstrap == null || bootstrap.isBlank() || topic == null || topic.isBlank() || group == null
                || group.isBlank()) {
                throw new IllegalArgumentException("--kafka-bootstrap, --kafka-topic and --kafka-group go together");
            }
            if (commitInterval.isNegative() || commitInterval.isZero()) {
                throw new IllegalArgumentException("--kafka-commit-interval must be more than 0, was " + commitInterval);
            }
            if (maxRecordBytes < 1) {
                throw new IllegalArgumentException("--kafka-max-record must be at least 1 byte, was " + maxRecordBytes);
            }
            clientProperties = Map.copyOf(clientProperties);
        }

        Properties consumerProperties() {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
            if (instanceId != null) {
                p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
                p.put(ConsumerConfig.CLIENT_ID_CONFIG, "ferrite-" + instanceId);
            }
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            return ClientSettings.withConsumerFile(p, clientProperties);
        }

        Properties producerProperties(TopicPartition partition) {
            Properties p = ClientSettings.producer(bootstrap, 5);
            if (guarantee == Guarantee.EXACTLY_ONCE) {
                // An open transaction of a dead owner holds read_committed readers back until fenced or timed out.
                p.put("transaction.timeout.ms", "10000");
                // One id per input partition: whoever owns the partition next fences whoever owned it before.
                p.put("transactional.id", "ferrite-" + group + "-" + partition.topic() + "-" + partition.partition());
            }
            return ClientSettings.withProducerFile(p, clientProperties);
        }
    }

    private final Settings settings;
    private final MetricRegistry registry;
    private final Map<Integer, Lane> lanes = new ConcurrentHashMap<>();
    private final Map<Integer, LaneFigures> figures = new ConcurrentSkipListMap<>();
    private final Map<Integer, Long> positions = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> committedAtLeastOnce = new HashMap<>();
    private final Set<TopicPartition> waitingToOpen = new java.util.HashSet<>();
    private final CountDownLatch joined = new CountDownLatch(1);
    private final Thread thread;
    private KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean running = true;
    /** What a lane's publish asks while it waits out back pressure (made once: no lambda per record). */
    private final BooleanSupplier keepRunning = () -> running;
    private volatile long rebalances;
    private volatile long partitionsAssigned;
    private volatile long partitionsRevoked;
    private volatile long partitionsLost;
    private volatile long rebuilds;

    private KafkaLanes(Settings settings, MetricRegistry registry) {
        this.settings = settings;
        this.registry = registry;
        this.thread = new Thread(this::run, "ferrite-kafka-lanes");
    }

    /** Joins the group: creates the consumer, subscribes, and starts the consumer thread. */
    public static KafkaLanes start(Settings settings, MetricRegistry registry) {
        KafkaLanes lanes = new KafkaLanes(settings, registry);
        lanes.consumer = new KafkaConsumer<>(settings.consumerProperties());
        lanes.registerMetrics();
        lanes.consumer.subscribe(List.of(settings.topic()), lanes.new Rebalances());
        lanes.thread.start();
        return lanes;
    }

    /** Waits until the first assignment of this member arrived (it may be empty). */
    public boolean awaitJoined(Duration timeout) throws InterruptedException {
        return joined.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void registerMetrics() {
        registry.add(Metric.counter("ferrite_kafka_rebalances_total", "Assignment changes this node took part in",
            () -> rebalances));
        registry.add(Metric.counter("ferrite_kafka_lane_rebuilds_total", "Lanes rebuilt after a failed commit",
            () -> rebuilds));
        registry.add(Metric.counter("ferrite_kafka_partitions_lost_total", "Partitions lost without a clean revoke",
            () -> partitionsLost));
        registry.add(Metric.gauge("ferrite_kafka_lanes", "Partitions this node runs a lane for", () -> lanes.size()));
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                joinedIfAssigned();
                for (TopicPartition partition : records.partitions()) {
                    feed(partition, records.records(partition));
                }
                rebuildFailedLanes();
                if (!waitingToOpen.isEmpty()) {
                    openLanes(List.copyOf(waitingToOpen), false);
                }
                if (settings.guarantee() == Guarantee.AT_LEAST_ONCE) {
                    commitAtLeastOnce(false);
                }
                refreshLag();
            }
        } catch (RuntimeException e) {
            LOG.error("kafka lanes: the consumer thread failed; its lanes close", e);
        } finally {
            closeLanes();
        }
    }

    private void joinedIfAssigned() {
        if (joined.getCount() > 0 && !consumer.assignment().isEmpty()) {
            joined.countDown();
        }
    }

    private void feed(TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> records) {
        Lane lane = lanes.get(partition.partition());
        if (lane == null) {
            return; // revoked during this poll: the next owner reads them from the committed offset
        }
        long next = -1;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (!lane.publish(record, keepRunning)) {
                break; // failed, fenced or closing: rebuilt or revoked next
            }
            next = record.offset() + 1;
        }
        if (next >= 0) {
            positions.put(partition.partition(), next);
        }
    }

    private void rebuildFailedLanes() {
        for (Lane lane : List.copyOf(lanes.values())) {
            if (lane.failure() == null) {
                continue;
            }
            TopicPartition partition = lane.partition();
            lane.abandon();
            lanes.remove(partition.partition());
            rebuilds++;
            LOG.warn("lane {}: rebuilding from the committed offset ({})", partition, lane.failure());
            openLanes(List.of(partition), true);
        }
    }

    /**
     * Opens lanes for {@code partitions}: fences every one first (see {@link Lane#fencedProducer}),
     * then asks for the committed offsets, seeks there and opens the lanes. A partition whose lane
     * cannot be opened now is paused (no record of it is read, so none is skipped) and tried again
     * on the next turn of the loop.
     */
    private void openLanes(Collection<TopicPartition> partitions, boolean forceRebuild) {
        Map<TopicPartition, org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>> producers = new HashMap<>();
        try {
            for (TopicPartition partition : partitions) {
                producers.put(partition, Lane.fencedProducer(settings, partition));
            }
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = committed.get(partition);
                long start;
                if (offset == null) {
                    consumer.seekToBeginning(Set.of(partition));
                    start = consumer.position(partition);
                } else {
                    consumer.seek(partition, offset.offset());
                    start = offset.offset();
                }
                LaneFigures figure = figures.computeIfAbsent(partition.partition(), p -> {
                    LaneFigures created = new LaneFigures(p);
                    created.registerInto(registry);
                    return created;
                });
                Lane lane = Lane.open(settings, partition, producers.remove(partition), start, figure, forceRebuild);
                lanes.put(partition.partition(), lane);
                positions.put(partition.partition(), start);
                if (waitingToOpen.remove(partition)) {
                    consumer.resume(Set.of(partition));
                }
            }
        } catch (KafkaException | java.io.UncheckedIOException e) {
            producers.values().forEach(producer -> producer.close(Duration.ZERO));
            List<TopicPartition> left = partitions.stream().filter(p -> !lanes.containsKey(p.partition())).toList();
            consumer.pause(left);
            waitingToOpen.addAll(left);
            LOG.warn("kafka lanes: cannot open the lanes of {} now, paused and tried again: {}", names(left), e.toString());
        }
    }

    private void commitAtLeastOnce(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Lane lane : lanes.values()) {
            long offset = lane.committableOffset();
            Long done = committedAtLeastOnce.get(lane.partition());
            if (offset >= 0 && (done == null || offset > done)) {
                offsets.put(lane.partition(), new OffsetAndMetadata(offset));
                committedAtLeastOnce.put(lane.partition(), offset);
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(offsets);
        } else {
            consumer.commitAsync(offsets, (committed, error) -> {
                if (error != null) {
                    LOG.warn("kafka lanes: offset commit failed (the next commit covers it): {}", error.toString());
                }
            });
        }
    }

    private void refreshLag() {
        for (Lane lane : lanes.values()) {
            TopicPartition partition = lane.partition();
            LaneFigures figure = figures.get(partition.partition());
            consumer.currentLag(partition).ifPresent(lag -> figure.kafkaLag = lag);
        }
    }

    private void closeLanes() {
        for (Lane lane : List.copyOf(lanes.values())) {
            drain(lane);
        }
        if (settings.guarantee() == Guarantee.AT_LEAST_ONCE) {
            try {
                commitAtLeastOnce(true);
            } catch (KafkaException e) {
                LOG.warn("kafka lanes: the last offset commit failed (those records are read again): {}", e.toString());
            }
        }
        lanes.clear();
        try {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (KafkaException e) {
            LOG.warn("kafka lanes: consumer close: {}", e.toString());
        }
    }

    private void drain(Lane lane) {
        var report = lane.drainAndClose();
        LOG.info("lane {} closed: {}, committed offset {}", lane.partition(),
            report.drained() ? "drained" : "not drained " + report.unprocessed(),
            figures.get(lane.partition().partition()).committedOffset);
    }

    /** Kafka's callbacks, on the consumer thread inside {@code poll}. */
    private final class Rebalances implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (revoked.isEmpty()) {
                return;
            }
            rebalances++;
            partitionsRevoked += revoked.size();
            LOG.info("kafka lanes: partitions revoked {}: draining their lanes", names(revoked));
            for (TopicPartition partition : revoked) {
                waitingToOpen.remove(partition);
                Lane lane = lanes.remove(partition.partition());
                if (lane != null) {
                    drain(lane);
                }
            }
            if (settings.guarantee() == Guarantee.AT_LEAST_ONCE) {
                Map<TopicPartition, OffsetAndMetadata> drained = new HashMap<>();
                for (TopicPartition partition : revoked) {
                    LaneFigures figure = figures.get(partition.partition());
                    if (figure != null && figure.committedOffset >= 0) {
                        drained.put(partition, new OffsetAndMetadata(figure.committedOffset));
                    }
                    committedAtLeastOnce.remove(partition);
                }
                if (!drained.isEmpty()) {
                    consumer.commitSync(drained);
                }
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (!assigned.isEmpty()) {
                rebalances++;
                partitionsAssigned += assigned.size();
                LOG.info("kafka lanes: partitions assigned {}: opening their lanes", names(assigned));
            }
            if (!assigned.isEmpty()) {
                openLanes(assigned, false);
            }
            joined.countDown();
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            if (lost.isEmpty()) {
                return;
            }
            rebalances++;
            partitionsLost += lost.size();
            LOG.warn("kafka lanes: partitions lost {} (this member was fenced or timed out): abandoning their lanes"
                + " uncommitted", names(lost));
            for (TopicPartition partition : lost) {
                waitingToOpen.remove(partition);
                Lane lane = lanes.remove(partition.partition());
                if (lane != null) {
                    lane.abandon();
                }
                committedAtLeastOnce.remove(partition);
            }
        }
    }

    private static String names(Collection<TopicPartition> partitions) {
        List<String> names = new ArrayList<>();
        partitions.stream().sorted(java.util.Comparator.comparingInt(TopicPartition::partition))
            .forEach(partition -> names.add(partition.toString()));
        return names.toString();
    }

    /** Records handed to lanes since start, over every partition (a benchmark's progress). */
    public long eventsTotal() {
        return figures.values().stream().mapToLong(figure -> figure.events + figure.rejected).sum();
    }

    /** The sum of the input offsets last committed, over every partition this node ran (-1 counts as 0). */
    public long committedTotal() {
        return figures.values().stream().mapToLong(figure -> Math.max(0, figure.committedOffset)).sum();
    }

    /** The partitions this node runs a lane for now. */
    public Set<Integer> partitions() {
        return Set.copyOf(lanes.keySet());
    }

    /** {@code GET /lanes}: the group, the guarantee, every partition this node has run and how it stands. */
    public String statusJson() {
        StringBuilder json = new StringBuilder(256);
        json.append(String.format(Locale.ROOT, "{\"topic\":\"%s\",\"group\":\"%s\",\"instance\":%s,\"guarantee\":\"%s\","
                + "\"output\":%s,\"lanes\":%d,\"rebalances\":%d,\"assigned\":%d,\"revoked\":%d,\"lost\":%d,\"rebuilds\":%d,"
                + "\"partitions\":[",
            settings.topic(), settings.group(), settings.instanceId() == null ? "null" : "\"" + settings.instanceId() + "\"",
            settings.guarantee().cliName(), settings.outputTopic() == null ? "null" : "\"" + settings.outputTopic() + "\"",
            lanes.size(), rebalances, partitionsAssigned, partitionsRevoked, partitionsLost, rebuilds));
        boolean first = true;
        for (LaneFigures figure : figures.values()) {
            json.append(first ? "" : ",").append(figure.json(positions.getOrDefault(figure.partition(), -1L)));
            first = false;
        }
        return json.append("]}").toString();
    }

    /** Leaves the group: every lane drains and commits, then the consumer closes. */
    @Override
    public void close() {
        running = false; // the consumer thread sees it within one poll (100 ms) or one publish wait
        try {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
