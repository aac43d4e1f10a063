package io.ferrite.kafka;

import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * A lane's last stage: produces one output record per event to the output topic (when there is
 * one) and commits the input offsets every commit interval.
 * <ul>
 *   <li>{@link Guarantee#EXACTLY_ONCE}: the outputs since the last commit and the next input offset
 *       go in one transaction ({@code sendOffsetsToTransaction}, then {@code commitTransaction}) of
 *       the lane's transactional producer, whose id is fixed per input partition: the next owner's
 *       {@code initTransactions} fences this one and aborts what it left open.</li>
 *   <li>{@link Guarantee#AT_LEAST_ONCE}: {@code flush()} waits for every output's acknowledgement
 *       (acks=all), then the offset is handed to the consumer thread to commit.</li>
 * </ul>
 * After each commit the {@link LaneCheckpoint} is replaced. A commit that fails aborts the
 * transaction and marks the lane failed: the consumer thread rebuilds it from Kafka's committed
 * offset, so the aborted outputs are produced again. A fenced producer (another node owns the
 * partition now) marks the lane fenced: it produces nothing more.
 *
 * <p>Output record: key = the event's key as 8 big-endian bytes; value = the payload; headers
 * {@value RecordMapping#EVENT_ID}, {@value RecordMapping#TYPE}, {@value RecordMapping#SOURCE}.
 *
 * <p>Thread-safety: the stage thread calls the handler methods; {@link #failure()},
 * {@link #committableOffset()}, {@link #processedIndex()} are read by the consumer thread;
 * {@link #discard()} is set by it.
 */
final class LaneOutput implements EventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(LaneOutput.class);

    private final TopicPartition input;
    private final String outputTopic;
    private final Guarantee guarantee;
    private final long commitIntervalNanos;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ConsumerGroupMetadata group;
    private final Path laneDirectory;
    private final LongSupplier journalNext;
    private final long startOffset;
    private final LaneFigures figures;
    private final Lane.Handed handed;
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private final Callback recordFailure;

    private boolean inTransaction;
    /** The offset of the newest event output and not yet committed, or -1. */
    private long uncommittedOffset = -1;
    /** The offset the last commit made Kafka's (this lane's start until it commits). */
    private long committedNext;
    private long lastCommitNanos = System.nanoTime();
    private volatile long processedIndex = -1;
    private volatile long committableOffset = -1;
    private volatile String failure;
    private volatile boolean fenced;
    private volatile boolean discard;

    LaneOutput(TopicPartition input, String outputTopic, Guarantee guarantee, long commitIntervalNanos,
               KafkaProducer<byte[], byte[]> producer, String groupId, Path laneDirectory, LongSupplier journalNext,
               long startOffset, LaneFigures figures, Lane.Handed handed) {
        this.input = input;
        this.outputTopic = outputTopic;
        this.guarantee = guarantee;
        this.commitIntervalNanos = commitIntervalNanos;
        this.producer = producer;
        // No member epoch: the transactional id, fixed per input partition, is what fences a former owner.
        this.group = new ConsumerGroupMetadata(groupId);
        this.laneDirectory = laneDirectory;
        this.journalNext = journalNext;
        this.startOffset = startOffset;
        this.committedNext = startOffset;
        this.figures = figures;
        this.handed = handed;
        this.recordFailure = (metadata, error) -> {
            if (error != null) {
                sendFailure.compareAndSet(null, error);
            }
        };
    }

    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) {
        processedIndex = index;
        long offset = event.correlationId();
        if (discard || fenced || failure != null || offset < startOffset) {
            return; // lost, fenced or failed lanes output nothing; offsets below the start were committed before
        }
        try {
            if (guarantee == Guarantee.EXACTLY_ONCE && !inTransaction) {
                producer.beginTransaction();
                inTransaction = true;
            }
            if (outputTopic != null) {
                producer.send(RecordMapping.output(outputTopic, event,
                    RecordMapping.source(input.topic(), input.partition(), offset)), recordFailure);
                figures.outputs++;
            }
        } catch (KafkaException e) {
            failed("produce", e);
            return;
        }
        uncommittedOffset = offset;
        if (endOfBatch) {
            commitWhenDue();
        }
    }

    @Override
    public void onIdle() {
        commitWhenDue();
        figures.localLag = Math.max(0, handed.lastIndex() - processedIndex);
    }

    /**
     * Engine closing, every event it will hand over handled: a lane that drains commits what it
     * output — through the last record handed to it when every one of them was handled (records it
     * skipped as duplicates or refused count as done); a lost, fenced or failed lane aborts.
     */
    @Override
    public void onClose() {
        if (discard || fenced || failure != null) {
            abortQuietly();
            return;
        }
        long through = processedIndex >= handed.lastIndex() ? Math.max(uncommittedOffset, handed.lastOffset())
            : uncommittedOffset;
        if (through >= committedNext) { // something after the last commit: commit it, else nothing to do
            if (guarantee == Guarantee.EXACTLY_ONCE && !inTransaction) {
                try {
                    producer.beginTransaction();
                    inTransaction = true;
                } catch (KafkaException e) {
                    failed("close", e);
                    return;
                }
            }
            uncommittedOffset = through;
            commit();
        }
    }

    private void commitWhenDue() {
        if (uncommittedOffset >= 0 && System.nanoTime() - lastCommitNanos >= commitIntervalNanos && failure == null
            && !fenced) {
            commit();
        }
    }

    private void commit() {
        long next = uncommittedOffset + 1;
        try {
            if (guarantee == Guarantee.EXACTLY_ONCE) {
                producer.sendOffsetsToTransaction(Map.of(input, new OffsetAndMetadata(next)), group);
                producer.commitTransaction();
                inTransaction = false;
            } else {
                producer.flush();
                Exception failed = sendFailure.get();
                if (failed != null) {
                    throw new KafkaException("an output was not acknowledged", failed);
                }
                committableOffset = next; // the consumer thread commits it
            }
        } catch (KafkaException e) {
            failed("commit", e);
            return;
        }
        uncommittedOffset = -1;
        committedNext = next;
        lastCommitNanos = System.nanoTime();
        figures.commits++;
        figures.committedOffset = next;
        if (laneDirectory != null) {
            new LaneCheckpoint(next, journalNext.getAsLong()).write(laneDirectory);
        }
    }

    private void failed(String what, KafkaException e) {
        if (e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException
            || e instanceof TransactionalIdAuthorizationException || e instanceof AuthorizationException) {
            fenced = true;
            LOG.warn("lane {}: {} refused, another owner took the partition over ({}); this lane outputs nothing more",
                input, what, e.toString());
            return;
        }
        abortQuietly();
        figures.aborts++;
        failure = what + " failed: " + e;
        LOG.warn("lane {}: {} failed, transaction aborted; the lane is rebuilt from the committed offset: {}", input,
            what, e.toString());
    }

    private void abortQuietly() {
        if (!inTransaction) {
            return;
        }
        inTransaction = false;
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            LOG.debug("lane {}: abort failed (the next owner's initTransactions aborts it): {}", input, e.toString());
        }
    }

    /** Why the lane failed (it must be rebuilt), or null. */
    String failure() {
        return failure;
    }

    boolean fenced() {
        return fenced;
    }

    /** At least once: the offset the consumer thread may commit (every output below it acknowledged), or -1. */
    long committableOffset() {
        return committableOffset;
    }

    long processedIndex() {
        return processedIndex;
    }

    /** The partition was lost: output nothing more, commit nothing. */
    void discard() {
        discard = true;
    }
}
