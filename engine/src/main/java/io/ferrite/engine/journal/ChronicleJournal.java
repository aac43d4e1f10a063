package io.ferrite.engine.journal;

import io.ferrite.offheap.AddressSpace;
import io.ferrite.engine.PublishResult;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The durable journal: one Chronicle Queue. Each record is a Chronicle document holding a
 * {@link JournalRecord}, written straight into the memory-mapped file (header fields stored in
 * place, payload copied once from the caller's segment); its index is Chronicle's index.
 *
 * <p>Appending is thread-safe: each publishing thread gets its own appender and Chronicle's write
 * lock orders them. A failed write (disk full, I/O error) returns
 * {@link PublishResult#JOURNAL_UNAVAILABLE} and is logged once per distinct message; nothing
 * half-written becomes visible.
 *
 * <p>Thread-safety: append/claim from any thread; readers single-threaded; close once.
 */
public final class ChronicleJournal implements Journal {
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleJournal.class);

    private final JournalConfig config;
    private final SingleChronicleQueue queue;
    private final ThreadLocal<ExcerptAppender> appenders;
    private final List<AutoCloseable> openResources = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final java.util.Set<String> loggedFailures = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ChronicleJournal(JournalConfig config, SingleChronicleQueue queue) {
        this.config = config;
        this.queue = queue;
        this.appenders = ThreadLocal.withInitial(() -> {
            ExcerptAppender appender = queue.createAppender();
            openResources.add(appender);
            return appender;
        });
    }

    /** Opens (or creates) the journal in {@code config.directory()}. */
    public static ChronicleJournal open(JournalConfig config) {
        return open(config, null);
    }

    /** Test hook: a journal whose roll cycles follow {@code timeProvider}. */
    static ChronicleJournal open(JournalConfig config, TimeProvider timeProvider) {
        SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(config.directory().toFile())
            .rollCycle(rollCycle(config.rollCycle()))
            .syncMode(config.syncToDisk() ? net.openhft.chronicle.bytes.SyncMode.SYNC : net.openhft.chronicle.bytes.SyncMode.NONE);
        if (timeProvider != null) {
            builder.timeProvider(timeProvider);
        }
        return new ChronicleJournal(config, builder.build());
    }

    /** The roll cycle called {@code name}, or an error listing the names there are. */
    public static RollCycle rollCycle(String name) {
        List<String> names = new ArrayList<>();
        for (RollCycle cycle : RollCycles.all()) {
            String cycleName = cycle.toString();
            if (cycleName.equalsIgnoreCase(name)) {
                return cycle;
            }
            names.add(cycleName);
        }
        throw new IllegalArgumentException("roll cycle '" + name + "' is not one of " + names);
    }

    @Override
    public long append(long publishNanos, long correlationId, long eventId, long key, long timestampNanos,
                       int type, int priority, MemorySegment payload, long payloadOffset, int payloadLength) {
        if (payloadLength > config.maxPayloadLength() || payloadLength < 0) {
            return PublishResult.REJECTED;
        }
        try (DocumentContext dc = appenders.get().writingDocument()) {
            long address = reserve(dc, payloadLength);
            JournalRecord.writeHeader(AddressSpace.ALL, address, publishNanos, correlationId, eventId, key,
                timestampNanos, type, priority);
            MemorySegment.copy(payload, payloadOffset, AddressSpace.ALL, address + JournalRecord.HEADER_LENGTH, payloadLength);
            return dc.index();
        } catch (RuntimeException e) {
            return unavailable(e);
        }
    }

    @Override
    public long tryClaim(long publishNanos, long correlationId, long eventId, long key, long timestampNanos,
                         int type, int priority, int payloadLength, JournalClaim claim) {
        if (payloadLength > config.maxPayloadLength() || payloadLength < 0) {
            return PublishResult.REJECTED;
        }
        DocumentContext dc = null;
        try {
            dc = appenders.get().writingDocument();
            long address = reserve(dc, payloadLength);
            JournalRecord.writeHeader(AddressSpace.ALL, address, publishNanos, correlationId, eventId, key,
                timestampNanos, type, priority);
            long index = dc.index();
            claim.open(this, dc, AddressSpace.ALL, address + JournalRecord.HEADER_LENGTH, payloadLength, index);
            return index;
        } catch (RuntimeException e) {
            if (dc != null) {
                dc.rollbackOnClose();
                dc.close();
            }
            return unavailable(e);
        }
    }

    @Override
    public void finishClaim(JournalClaim claim, boolean commit) {
        DocumentContext dc = (DocumentContext) claim.context();
        if (!commit) {
            dc.rollbackOnClose();
        }
        dc.close();
    }

    private static long reserve(DocumentContext dc, int payloadLength) {
        Bytes<?> bytes = dc.wire().bytes();
        long position = bytes.writePosition();
        bytes.writeSkip(JournalRecord.HEADER_LENGTH + payloadLength);
        return bytes.addressForWrite(position);
    }

    private long unavailable(RuntimeException e) {
        String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (loggedFailures.add(reason)) {
            LOG.error("journal {} cannot be written; publishes answer JOURNAL_UNAVAILABLE", config.directory(), e);
        }
        return PublishResult.JOURNAL_UNAVAILABLE;
    }

    @Override
    public ChronicleJournalReader newReader(boolean releasesMemory) {
        ChronicleJournalReader reader = new ChronicleJournalReader(queue.createTailer());
        openResources.add(reader);
        return reader;
    }

    /** Index of the last record, or -1 when the journal is empty. Control path. */
    public long lastIndex() {
        return queue.lastIndex();
    }

    /** Records after {@code index} (-1: all records), counted by reading them. Control path. */
    public long countAfter(long index) {
        try (ChronicleJournalReader reader = new ChronicleJournalReader(queue.createTailer())) {
            reader.moveAfter(index);
            long count = 0;
            while (reader.readNext((memory, offset, length, i) -> { }, JournalReader.NO_LIMIT)) {
                count++;
            }
            return count;
        }
    }

    @Override
    public int maxPayloadLength() {
        return config.maxPayloadLength();
    }

    public JournalConfig config() {
        return config;
    }

    /** The underlying queue, for the group committer and retention (same package). */
    SingleChronicleQueue queue() {
        return queue;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (AutoCloseable resource : openResources) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.debug("closing {} failed", resource, e);
            }
        }
        queue.close();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ChronicleJournal[%s, %s]", config.directory(), config.rollCycle());
    }
}
