package io.ferrite.kafka;

import io.ferrite.engine.DeferredHandler;
import io.ferrite.engine.EventView;
import io.ferrite.engine.metrics.Metric;
import io.ferrite.engine.metrics.MetricRegistry;
import io.ferrite.pipeline.completion.CompletionRing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The server's last stage with {@code --forward-kafka}: forwards every journaled event to a topic
 * ({@link RecordMapping#output}: the eventId travels in a header, so a lane reading the topic
 * deduplicates what a crash made the relay send twice) with an idempotent producer, acks=all.
 *
 * <p>It is a {@link DeferredHandler}: an event counts as handled once Kafka acknowledged it, so the
 * stage's checkpoint never passes an unacknowledged event and a restart sends again whatever was
 * not acknowledged (at least once). {@link #forwardedBelow()} is what the server may ACK under
 * {@link Ack#KAFKA}. A send that fails for good (after the producer's own retries, within
 * {@code delivery.timeout.ms}) is sent again from the stage thread, until it succeeds or the
 * engine closes.
 *
 * <p>Thread-safety: the stage thread calls the handler methods; the producer's I/O thread finishes
 * events (the ring's one finisher); {@link #forwardedBelow()} from any thread.
 */
public final class KafkaRelay implements DeferredHandler {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaRelay.class);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

    /** When the server ACKs an event that is forwarded. */
    public enum Ack {
        /** Once the local journal holds it (the relay forwards it after: at least once). */
        JOURNAL,
        /** Once Kafka acknowledged it (acks=all): an ACK means the topic has it. */
        KAFKA;

        /** {@code journal} or {@code kafka}. */
        public static Ack parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "journal" -> JOURNAL;
                case "kafka" -> KAFKA;
                default -> throw new IllegalArgumentException("expected journal or kafka, was '" + text + "'");
            };
        }
    }

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final CompletionRing ring;
    private final ProducerRecord<byte[], byte[]>[] inFlight;
    private final Queue<Long> toSendAgain = new ConcurrentLinkedQueue<>();
    private final int mask;
    private volatile long takenBelow;
    private volatile long forwarded;
    private final AtomicLong sendFailures = new AtomicLong();
    private volatile long sentAgain;

    /**
     * @param maxInFlight events sent and not yet acknowledged, at most (rounded up to a power of two)
     * @param clientProperties more producer settings, applied last
     */
    @SuppressWarnings("unchecked")
    public KafkaRelay(String bootstrap, String topic, int maxInFlight, Map<String, String> clientProperties) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(ClientSettings.withProducerFile(ClientSettings.producer(bootstrap, 1),
            clientProperties));
        this.ring = new CompletionRing(maxInFlight);
        this.inFlight = new ProducerRecord[ring.size()];
        this.mask = ring.size() - 1;
    }

    @Override
    public void completionsTo(Completions completions) {
        // latency is measured to the take-in; Kafka's acknowledgement time is in the producer's own metrics
    }

    /** Stage thread: sends the event; waits while {@code maxInFlight} events are unacknowledged. */
    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) {
        while (!ring.hasRoom()) {
            doDeferredWork();
            LockSupport.parkNanos(50_000);
        }
        long sequence = ring.take(index);
        ProducerRecord<byte[], byte[]> record = RecordMapping.output(topic, event, null);
        inFlight[(int) (sequence & mask)] = record;
        send(sequence, record);
        takenBelow = index + 1;
    }

    private void send(long sequence, ProducerRecord<byte[], byte[]> record) {
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    forwarded++;
                    ring.finish(sequence);
                } else {
                    if (sendFailures.getAndIncrement() == 0) {
                        LOG.warn("relay to {}: a send failed for good, sending it again: {}", topic, error.toString());
                    }
                    toSendAgain.add(sequence);
                }
            });
        } catch (KafkaException e) {
            sendFailures.incrementAndGet();
            toSendAgain.add(sequence); // e.g. no metadata within max.block.ms: the stage thread tries again
        }
    }

    /** Stage thread: sends again what failed. */
    @Override
    public int doDeferredWork() {
        int sent = 0;
        Long sequence;
        while ((sequence = toSendAgain.poll()) != null) {
            sentAgain++;
            send(sequence, inFlight[(int) (sequence & mask)]);
            sent++;
        }
        return sent;
    }

    @Override
    public long finishedBelow() {
        return ring.finishedBelow();
    }

    /** Every event with a journal index below this is acknowledged by Kafka (acquire): the server's ACK gate. */
    public long forwardedBelow() {
        return Math.min(ring.finishedBelow(), takenBelow);
    }

    /** Waits up to 10 s for Kafka to acknowledge what was sent; the rest is sent again after a restart. */
    @Override
    public void onClose() {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        producer.flush();
        while (ring.unfinished() > 0 && System.nanoTime() - deadline < 0) {
            doDeferredWork();
            LockSupport.parkNanos(1_000_000);
        }
        if (ring.unfinished() > 0) {
            LOG.warn("relay to {}: {} events not acknowledged within {} s; they are sent again after a restart", topic,
                ring.unfinished(), DRAIN_TIMEOUT.toSeconds());
        }
        producer.close(Duration.ZERO);
    }

    /** {@code ferrite_relay_*} into the node's registry. */
    public void registerInto(MetricRegistry registry) {
        registry.add(Metric.counter("ferrite_relay_forwarded_total", "Events Kafka acknowledged", () -> forwarded));
        registry.add(Metric.counter("ferrite_relay_send_failures_total", "Sends that failed for good (then sent again)",
            sendFailures::get));
        registry.add(Metric.gauge("ferrite_relay_in_flight", "Events sent and not yet acknowledged", ring::unfinished));
    }
}
