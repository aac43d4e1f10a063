package io.ferrite.bench.kafka;

import io.ferrite.bench.suite.Metric;
import io.ferrite.bench.suite.Sampler;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.TrialResult;
import io.ferrite.testing.KafkaBroker;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Apache Kafka peer: a {@link KafkaBroker} started in this JVM, one producer sending 64-byte
 * records (no key) to a one-partition topic as fast as its buffer allows, with {@code acks=1} or
 * {@code acks=all}; a trial counts the records acknowledged between its start and the
 * {@code flush()} at its end. {@link #open} produces for {@value #BROKER_WARMUP_SECONDS} s before the
 * suite's own warm-up: the broker only reaches its pace after that. Producer settings: Kafka's defaults plus {@code linger.ms=5},
 * {@code batch.size=65536}, no compression.
 *
 * <p>Thread-safety: single-threaded (the runner's); the acknowledgement counter is written by the
 * producer's I/O thread.
 */
public final class KafkaProduceScenario implements Scenario {
    private static final String TOPIC = "ferrite-bench";
    private static final int RECORD = 64;
    /** The broker's request path needs far longer than the suite's warm-up to be compiled: ramp it here. */
    private static final int BROKER_WARMUP_SECONDS = 5;
    private static final Duration BROKER_WARMUP = Duration.ofSeconds(BROKER_WARMUP_SECONDS);

    private final String acks;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Callback callback = this::onCompletion;
    private final byte[] value = new byte[RECORD];
    private KafkaBroker broker;
    private KafkaProducer<byte[], byte[]> producer;

    /** @param acks {@code 1} or {@code all} */
    public KafkaProduceScenario(String acks) {
        this.acks = acks;
    }

    @Override
    public String name() {
        return "peer.kafka.acks" + acks;
    }

    @Override
    public String group() {
        return "peer";
    }

    @Override
    public String description() {
        return "Apache Kafka " + org.apache.kafka.common.utils.AppInfoParser.getVersion()
            + " KRaft broker in-process, one producer, 64-byte records, acks=" + acks;
    }

    @Override
    public Metric metric() {
        return Metric.THROUGHPUT;
    }

    @Override
    public List<String> peers() {
        return List.of();
    }

    @Override
    public void open() throws Exception {
        long start = System.nanoTime();
        broker = KafkaBroker.start();
        broker.createTopic(TOPIC);
        producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
            ProducerConfig.ACKS_CONFIG, acks,
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.BATCH_SIZE_CONFIG, 65_536,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "all".equals(acks),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
        System.out.printf("  kafka broker and topic ready in %.1f s%n", (System.nanoTime() - start) / 1e9);
        run(BROKER_WARMUP, BROKER_WARMUP);
    }

    private void onCompletion(RecordMetadata metadata, Exception exception) {
        if (exception != null) {
            failure.compareAndSet(null, exception);
        } else {
            acknowledged.lazySet(acknowledged.get() + 1);
        }
    }

    @Override
    public TrialResult run(Duration duration, Duration sample) throws Exception {
        long first = acknowledged.get();
        Sampler sampler = Sampler.start(acknowledged::get, sample);
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        long sent = 0;
        while ((sent & 255) != 0 || System.nanoTime() < deadline) {
            producer.send(new ProducerRecord<>(TOPIC, value), callback);
            sent++;
        }
        producer.flush();
        long end = System.nanoTime();
        double[] timeline = sampler.stop();
        if (failure.get() != null) {
            throw new IllegalStateException("kafka producer failed", failure.get());
        }
        return TrialResult.of(acknowledged.get() - first, (end - start) / 1e9, null, timeline, sample.toNanos() / 1e9);
    }

    @Override
    public void close() {
        try {
            if (producer != null) {
                producer.close(Duration.ofSeconds(10));
            }
        } finally {
            producer = null;
            if (broker != null) {
                broker.close();
                broker = null;
            }
        }
    }
}
