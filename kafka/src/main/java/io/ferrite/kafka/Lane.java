package io.ferrite.kafka;

import io.ferrite.engine.CloseReport;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.engine.PublishResult;
import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.pipeline.Stages;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One assigned partition on this node: an {@link Engine} of its own (journal directory, dedup
 * window, the pipeline's stages) fed in offset order from the partition, ending in a
 * {@link LaneOutput}. Each event's correlationId is its record's offset.
 *
 * <p>Opening decides what local state to keep: the journal and stage state are reused when the
 * {@link LaneCheckpoint} agrees with Kafka's committed offset and the journal's end; otherwise the
 * lane's directory is deleted and the lane starts empty at the committed offset.
 *
 * <p>Thread-safety: the consumer thread opens, feeds and closes a lane; the stage threads are the engine's.
 */
final class Lane {
    private static final Logger LOG = LoggerFactory.getLogger(Lane.class);
    private static final byte[] EMPTY = new byte[0];
    private static final long MAX_WAIT_NANOS = 1_000_000;

    private final TopicPartition partition;
    private final Engine engine;
    private final LaneOutput output;
    private final KafkaProducer<byte[], byte[]> producer;
    private final LaneFigures figures;
    private final Handed handed;
    private final int defaultType;
    private final long startOffset;

    private Lane(TopicPartition partition, Engine engine, LaneOutput output, KafkaProducer<byte[], byte[]> producer,
                 LaneFigures figures, Handed handed, int defaultType, long startOffset) {
        this.startOffset = startOffset;
        this.partition = partition;
        this.engine = engine;
        this.output = output;
        this.producer = producer;
        this.figures = figures;
        this.handed = handed;
        this.defaultType = defaultType;
    }

    /** The newest record handed to the lane: written by the consumer thread, read by the output stage. */
    static final class Handed {
        private volatile long lastIndex = -1;
        private volatile long lastOffset = -1;

        long lastIndex() {
            return lastIndex;
        }

        long lastOffset() {
            return lastOffset;
        }
    }

    /**
     * The lane's producer, ready: for exactly once its {@code initTransactions} has fenced the
     * partition's former owner and aborted the transaction it left open — which may hold an offset
     * commit — so Kafka's committed offset of the partition is final only after this returned.
     * Every partition of an assignment is fenced before any committed offset is asked for.
     */
    static KafkaProducer<byte[], byte[]> fencedProducer(KafkaLanes.Settings settings, TopicPartition partition) {
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producerProperties(partition));
        try {
            if (settings.guarantee() == Guarantee.EXACTLY_ONCE) {
                producer.initTransactions();
            }
            return producer;
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    /**
     * Opens the lane of {@code partition} with its {@link #fencedProducer}, whose next record to
     * read is {@code committedOffset}.
     *
     * @param forceRebuild delete local state whatever the checkpoint says (after a failed commit)
     */
    static Lane open(KafkaLanes.Settings settings, TopicPartition partition, KafkaProducer<byte[], byte[]> producer,
                     long committedOffset, LaneFigures figures, boolean forceRebuild) {
        Path directory = settings.lanesDirectory() == null ? null
            : settings.lanesDirectory().resolve(partition.topic() + "-" + partition.partition());
        try {
            String why = reuseRefusal(directory, committedOffset, forceRebuild);
            if (why != null && directory != null && Files.exists(directory)) {
                deleteTree(directory);
            }
            Lane lane = start(settings, partition, committedOffset, figures, directory, producer);
            figures.journal = why == null ? "reused" : "rebuilt";
            figures.state = "running";
            LOG.info("lane {} opened at offset {}: {}", partition, committedOffset,
                why == null ? "journal and stage state reused" : "starts empty (" + why + ")");
            return lane;
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    private static Lane start(KafkaLanes.Settings settings, TopicPartition partition, long committedOffset,
                              LaneFigures figures, Path directory, KafkaProducer<byte[], byte[]> producer) {
        if (directory != null) {
            try {
                Files.createDirectories(directory);
            } catch (IOException e) {
                throw new UncheckedIOException("lane directory " + directory, e);
            }
        }
        EngineBuilder builder = settings.laneEngine().get();
        List<Stages.Built> stages = settings.laneStages() == null ? List.of() : settings.laneStages().apply(directory);
        Stages.addTo(builder, stages);
        Handed handed = new Handed();
        Engine[] started = new Engine[1];
        LaneOutput output = new LaneOutput(partition, settings.outputTopic(), settings.guarantee(),
            settings.commitInterval().toNanos(), producer, settings.group(), directory,
            () -> started[0] == null ? 0 : journalNext(started[0]), committedOffset, figures, handed);
        builder.stage("kafka-output", output).defaultMaxPayloadLength(settings.maxRecordBytes());
        if (directory != null) {
            builder.journal(directory);
        }
        Engine engine = builder.build();
        started[0] = engine;
        if (!stages.isEmpty()) {
            Stages.connect(stages, engine);
        }
        return new Lane(partition, engine, output, producer, figures, handed, settings.defaultType(), committedOffset);
    }

    /** Why the lane's state cannot be reused as it is (before the journal is opened), or null. */
    private static String reuseRefusal(Path directory, long committedOffset, boolean forceRebuild) {
        if (directory == null) {
            return "memory durability keeps no lane state";
        }
        if (forceRebuild) {
            return "a commit failed";
        }
        if (!Files.isDirectory(directory)) {
            return "no local state";
        }
        LaneCheckpoint checkpoint = LaneCheckpoint.read(directory);
        if (checkpoint == null) {
            return "no lane checkpoint";
        }
        if (checkpoint.offset() != committedOffset) {
            return "Kafka's committed offset is " + committedOffset + ", the lane's checkpoint says " + checkpoint.offset();
        }
        long journalEnd;
        if (!Files.isDirectory(directory.resolve("events"))) {
            return "no journal";
        }
        try (ChronicleJournal journal = ChronicleJournal.openToRead(directory.resolve("events"))) {
            journalEnd = journal.endOfJournal();
        } catch (RuntimeException e) {
            return "the journal cannot be read (" + e.getMessage() + ")";
        }
        if (journalEnd != checkpoint.journalNext()) {
            return "the journal ends at " + journalEnd + ", the checkpoint at " + checkpoint.journalNext();
        }
        return null;
    }

    private static long journalNext(Engine engine) {
        return engine.chronicleJournal() == null ? 0 : engine.chronicleJournal().nextIndex();
    }

    /**
     * Hands one record to the lane's engine, waiting out back pressure and a full disk while
     * {@code keepTrying} holds. A record the engine refuses (too large) is counted, logged and skipped.
     *
     * @return false when the lane stopped taking records (closing, failed, fenced): stop feeding it
     */
    boolean publish(ConsumerRecord<byte[], byte[]> record, BooleanSupplier keepTrying) {
        byte[] payload = record.value() == null ? EMPTY : record.value();
        long eventId = RecordMapping.eventId(record.headers(), record.partition(), record.offset());
        long key = RecordMapping.key(record.key());
        int type = RecordMapping.type(record.headers(), defaultType);
        long timestampNanos = record.timestamp() > 0 ? record.timestamp() * 1_000_000L : 0L;
        MemorySegment memory = MemorySegment.ofArray(payload);
        long waitNanos = 1_000;
        while (true) {
            long result = engine.offer(record.offset(), type, key, eventId, timestampNanos, 0, memory, 0, payload.length);
            if (PublishResult.isIndex(result)) {
                if (result > handed.lastIndex) {
                    handed.lastIndex = result;
                }
                break;
            }
            if (result == PublishResult.REJECTED) {
                figures.rejected++;
                LOG.warn("lane {}: record at offset {} refused by the engine ({} bytes; the most a lane takes is set by"
                    + " --kafka-max-record): skipped", partition, record.offset(), payload.length);
                break;
            }
            if (result == PublishResult.CLOSED || !keepTrying.getAsBoolean() || failure() != null || output.fenced()) {
                return false;
            }
            LockSupport.parkNanos(waitNanos); // back pressured, or the journal's disk is full: wait, lose nothing
            waitNanos = Math.min(MAX_WAIT_NANOS, waitNanos * 2);
        }
        handed.lastOffset = record.offset();
        figures.events++;
        return true;
    }

    /** The offset the lane started at (Kafka's committed offset when it opened). */
    long startOffset() {
        return startOffset;
    }

    /** Why the lane must be rebuilt, or null. */
    String failure() {
        return output.failure();
    }

    boolean fenced() {
        return output.fenced();
    }

    TopicPartition partition() {
        return partition;
    }

    /** At least once: the offset to commit, or -1. */
    long committableOffset() {
        return output.committableOffset();
    }

    /**
     * Revoked: the engine drains (every record handed is output), the output stage commits, the
     * producer closes.
     */
    CloseReport drainAndClose() {
        figures.state = "draining";
        CloseReport report = engine.closeAndReport();
        closeProducer(Duration.ofSeconds(5));
        figures.state = "closed";
        figures.localLag = 0;
        return report;
    }

    /** Lost (another node may own it already): nothing more is output or committed. */
    void abandon() {
        output.discard();
        figures.state = "lost";
        engine.close();
        closeProducer(Duration.ZERO);
        figures.localLag = 0;
    }

    private void closeProducer(Duration timeout) {
        try {
            producer.close(timeout);
        } catch (KafkaException e) {
            LOG.debug("lane {}: producer close: {}", partition, e.toString());
        }
    }

    static void deleteTree(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the lane directory " + directory, e);
        }
    }
}
