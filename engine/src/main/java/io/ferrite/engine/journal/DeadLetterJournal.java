package io.ferrite.engine.journal;

import io.ferrite.offheap.AddressSpace;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where events whose handler threw are kept, so a poison event never stalls a stage and is never
 * silently lost: a Chronicle Queue of (journal index, stage, error text, the whole record).
 *
 * <p>Thread-safety: {@link #record} is synchronized (stages are separate threads; this is the
 * error path); {@link #readAll} is control path.
 */
public final class DeadLetterJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterJournal.class);

    /** One dead letter, as read back. */
    public record DeadLetter(long index, String stage, String error, byte[] record) {
        /** The eventId of the dead event. */
        public long eventId() {
            return JournalRecord.eventId(MemorySegment.ofArray(record), 0);
        }
    }

    private final SingleChronicleQueue queue;
    private final net.openhft.chronicle.queue.ExcerptAppender appender;

    private DeadLetterJournal(SingleChronicleQueue queue) {
        this.queue = queue;
        this.appender = queue.createAppender();
        this.appender.singleThreadedCheckDisabled(true);
    }

    /** Opens (or creates) the dead-letter journal in {@code directory}. */
    public static DeadLetterJournal open(Path directory) {
        return new DeadLetterJournal(SingleChronicleQueueBuilder.binary(directory.toFile())
            .rollCycle(RollCycles.FAST_DAILY).build());
    }

    /**
     * Records the record at {@code offset} in {@code memory} as dead for {@code stage}.
     *
     * @return true when it was written; false when the write failed (logged; nothing half-written
     * stays), so a caller counts only dead letters that exist
     */
    public synchronized boolean record(String stage, long index, Throwable error, MemorySegment memory, long offset,
                                       int length) {
        DocumentContext dc = null;
        try {
            dc = appender.writingDocument();
            Bytes<?> bytes = dc.wire().bytes();
            bytes.writeLong(index);
            bytes.writeUtf8(stage);
            bytes.writeUtf8(String.valueOf(error));
            bytes.writeInt(length);
            long position = bytes.writePosition();
            bytes.writeSkip(length);
            MemorySegment.copy(memory, offset, AddressSpace.ALL, bytes.addressForWrite(position), length);
            dc.close();
            return true;
        } catch (RuntimeException | InternalError e) { // InternalError: a fault in the mapped file (disk full)
            LOG.error("could not record dead letter for index {} of stage {}", index, stage, e);
            if (dc != null) {
                try {
                    dc.rollbackOnClose();
                    dc.close();
                } catch (RuntimeException ignored) {
                    // the queue is unusable; the failure is already logged
                }
            }
            return false;
        }
    }

    /** Every dead letter, oldest first (control path: allocates). */
    public List<DeadLetter> readAll() {
        List<DeadLetter> letters = new ArrayList<>();
        try (ExcerptTailer tailer = queue.createTailer()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    Bytes<?> bytes = dc.wire().bytes();
                    long index = bytes.readLong();
                    String stage = bytes.readUtf8();
                    String error = bytes.readUtf8();
                    byte[] record = new byte[bytes.readInt()];
                    bytes.read(record);
                    letters.add(new DeadLetter(index, stage, error, record));
                }
            }
        }
        return letters;
    }

    @Override
    public synchronized void close() {
        appender.close();
        queue.close();
    }
}
