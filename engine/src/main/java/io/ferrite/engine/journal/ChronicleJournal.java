package io.ferrite.engine.journal;

import io.ferrite.engine.PublishResult;
import io.ferrite.offheap.AddressSpace;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The durable journal: one Chronicle Queue whose documents are {@link JournalBatch batches}, each
 * written straight into the memory-mapped file by the sequencer (header, then records copied once
 * from the network buffer or the publisher's segment). A batch is one Chronicle document, so the
 * queue's per-document cost (its write lock, header and index) is paid once per batch, not per
 * event; every event still has its own journal index.
 *
 * <p>Journal indexes are Ferrite's, not Chronicle's: dense from 0. Positioning a reader at an index
 * finds the batch that holds it by binary search over Chronicle's documents (control path: start,
 * replay, retention).
 *
 * <p>A write that fails (disk full, I/O error) answers {@link PublishResult#JOURNAL_UNAVAILABLE},
 * logged once per distinct message; nothing half-written becomes visible.
 *
 * <p>Thread-safety: {@link #claim} and its commit or abort from one thread at a time (the
 * sequencer's lock); readers single-threaded; the control-path queries from any thread; close once.
 */
public final class ChronicleJournal implements Journal {
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleJournal.class);
    /** Room for records in one batch besides one largest event: what a read of the socket carries, and more. */
    private static final int BATCH_BYTES = 1 << 20;

    private final JournalConfig config;
    private final SingleChronicleQueue queue;
    /** Made on the first claim: a journal opened only to read never takes the queue's write side. */
    private ExcerptAppender appender;
    /** Started with the appender: brings the file's pages in ahead of it. */
    private JournalPretoucher pretoucher;
    private int pretouchedCycle = Integer.MIN_VALUE;
    private File writerFile;
    private final WriterPrefault prefault = new WriterPrefault();
    private final FreeSpaceGuard freeSpace;
    /** Why the last write failed (a fault in the mapped file), until a write succeeds again. */
    private volatile String lastFailure;
    private final List<AutoCloseable> openResources = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<String> loggedFailures = ConcurrentHashMap.newKeySet();
    private final int maxBatchBytes;
    /** Writer-owned: the index of the next batch's first record. */
    private long nextIndex;

    private ChronicleJournal(JournalConfig config, SingleChronicleQueue queue) {
        this.config = config;
        this.queue = queue;
        this.maxBatchBytes = BATCH_BYTES + JournalBatch.recordBytes(JournalRecord.HEADER_LENGTH + config.maxPayloadLength());
        this.freeSpace = new FreeSpaceGuard(config.directory(), config.minFreeBytes());
        try {
            this.nextIndex = endOfJournal();
        } catch (RuntimeException | Error e) {
            queue.close();
            throw e;
        }
    }

    /** Opens (or creates) the journal in {@code config.directory()}. */
    public static ChronicleJournal open(JournalConfig config) {
        return open(config, null);
    }

    /**
     * Opens an existing journal to read it, beside a server that may be writing it ({@code ferrite
     * replay}): nothing is created or locked.
     *
     * @throws IllegalArgumentException when {@code directory} holds no journal
     */
    public static ChronicleJournal openToRead(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("no journal at " + directory);
        }
        return new ChronicleJournal(JournalConfig.of(directory),
            SingleChronicleQueueBuilder.binary(directory.toFile()).readOnly(true).build());
    }

    /** Test hook: a journal whose roll cycles follow {@code timeProvider}. */
    static ChronicleJournal open(JournalConfig config, TimeProvider timeProvider) {
        SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(config.directory().toFile())
            .rollCycle(rollCycle(config.rollCycle()))
            .syncMode(config.syncToDisk() ? SyncMode.SYNC : SyncMode.NONE);
        if (timeProvider != null) {
            builder.timeProvider(timeProvider);
        }
        ChronicleJournal journal = new ChronicleJournal(config, builder.build());
        try {
            journal.checkContinuous();
        } catch (RuntimeException e) {
            journal.close();
            throw e;
        }
        return journal;
    }

    /**
     * Start-up check: every cycle file's first batch starts where the previous file's last batch
     * ended. A file missing in the middle (deleted, or lost in a restore) would otherwise make the
     * stages and replay stop at the gap — or, worse, skip it. Reads two batches per cycle file
     * (binary search for the last).
     *
     * @throws IllegalStateException naming the files on either side of the gap and what to do
     */
    void checkContinuous() {
        RollCycle rollCycle = queue.rollCycle();
        int firstCycle = queue.firstCycle();
        int lastCycle = queue.lastCycle();
        if (firstCycle == Integer.MAX_VALUE || lastCycle < 0 || firstCycle == lastCycle) {
            return;
        }
        try (ExcerptTailer tailer = queue.createTailer()) {
            long expected = -1;
            int previousCycle = -1;
            for (Long cycle : queue.listCyclesBetween(firstCycle, lastCycle)) {
                long first = firstIndexAt(tailer, rollCycle.toIndex(cycle.intValue(), 0));
                if (first < 0) {
                    continue; // an empty cycle file
                }
                if (expected >= 0 && first != expected) {
                    throw new IllegalStateException(String.format(Locale.ROOT, "journal %s is not continuous: the file of"
                        + " cycle %d ends at event %d but the next file (cycle %d) starts at event %d, so events %d..%d"
                        + " are missing (a cycle file deleted or lost?). Put the missing file back from a backup; or, to"
                        + " give those events up, move the journal directory aside and start with an empty one",
                        config.directory(), previousCycle, expected - 1, cycle, first, expected, first - 1));
                }
                expected = endOfCycle(tailer, rollCycle, cycle.intValue());
                previousCycle = cycle.intValue();
            }
        }
    }

    /** The index just past the last record of cycle {@code cycle}'s last batch. */
    private long endOfCycle(ExcerptTailer tailer, RollCycle rollCycle, int cycle) {
        long last = documentsIn(tailer, cycle) - 1;
        tailer.moveToIndex(rollCycle.toIndex(cycle, last));
        try (DocumentContext dc = tailer.readingDocument()) {
            Bytes<?> bytes = dc.wire().bytes();
            long batch = bytes.addressForRead(bytes.readPosition());
            return JournalBatch.firstIndex(AddressSpace.ALL, batch) + JournalBatch.count(AddressSpace.ALL, batch);
        }
    }

    /**
     * How many documents (batches) cycle {@code cycle} holds: for the last cycle from the queue's
     * last index; for an older one by doubling, then a binary search. Asking Chronicle for a document
     * far past a cycle's end scans to that end (tens of ms on a cycle of millions), so the probes
     * never overshoot by more than the cycle's size.
     */
    long documentsIn(ExcerptTailer tailer, int cycle) {
        RollCycle rollCycle = queue.rollCycle();
        if (cycle == queue.lastCycle()) {
            long last = queue.lastIndex();
            if (last >= 0 && rollCycle.toCycle(last) == cycle) {
                return rollCycle.toSequenceNumber(last) + 1;
            }
        }
        long low = 0;
        long high = 1;
        while (firstIndexAt(tailer, rollCycle.toIndex(cycle, high)) >= 0) {
            low = high;
            high *= 2;
        }
        while (high - low > 1) { // document `low` exists; document `high` does not
            long mid = (low + high) >>> 1;
            if (firstIndexAt(tailer, rollCycle.toIndex(cycle, mid)) >= 0) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return firstIndexAt(tailer, rollCycle.toIndex(cycle, 0)) < 0 ? 0 : low + 1;
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
    public long nextIndex() {
        return nextIndex;
    }

    @Override
    public int maxBatchBytes() {
        return maxBatchBytes;
    }

    @Override
    public int maxPayloadLength() {
        return config.maxPayloadLength();
    }

    @Override
    public long claim(int count, int recordBytes, long journaledAtEpochNanos, JournalClaim claim) {
        if (freeSpace.refusal() != null) {
            return PublishResult.JOURNAL_UNAVAILABLE;
        }
        DocumentContext dc = null;
        try {
            if (appender == null) {
                appender = queue.createAppender();
                // the sequencer's threads take turns under its lock (event loops, publishers): its lock,
                // not Chronicle's first-thread check, keeps the appender single-threaded
                appender.singleThreadedCheckDisabled(true);
                pretoucher = new JournalPretoucher("ferrite-journal-pretouch",
                    freeSpace.inMemory() ? 0 : JournalPretoucher.DEFAULT_AHEAD_BYTES, freeSpace::check);
            }
            dc = appender.writingDocument();
            Bytes<?> bytes = dc.wire().bytes();
            long position = bytes.writePosition(); // an offset in the cycle's file: Chronicle maps files whole-offset
            if (appender.cycle() != pretouchedCycle) {
                pretouchedCycle = appender.cycle();
                writerFile = appender.currentFile();
                pretoucher.writerMovedTo(writerFile);
            }
            pretoucher.writerAt(position);
            prefault.ahead(bytes, position, pretoucher, writerFile);
            bytes.writeSkip(JournalBatch.HEADER_LENGTH + (long) recordBytes);
            long address = bytes.addressForWrite(position);
            JournalBatch.writeHeader(AddressSpace.ALL, address, nextIndex, journaledAtEpochNanos, count);
            claim.open(this, dc, 0, AddressSpace.ALL, address + JournalBatch.HEADER_LENGTH, recordBytes, nextIndex, count);
            return 0;
        } catch (RuntimeException | InternalError e) { // InternalError: a fault in the mapped file (disk full)
            if (dc != null) {
                abandon(dc);
            }
            return unavailable(e);
        }
    }

    @Override
    public long finishClaim(JournalClaim claim, boolean commit) {
        DocumentContext dc = (DocumentContext) claim.context();
        if (!commit) {
            abandon(dc);
            return 0;
        }
        try {
            dc.close();
        } catch (RuntimeException | InternalError e) {
            abandon(dc);
            return unavailable(e);
        }
        nextIndex += claim.count();
        if (lastFailure != null) {
            lastFailure = null;
            LOG.info("journal {} is written again", config.directory());
        }
        return 0;
    }

    private static void abandon(DocumentContext dc) {
        try {
            dc.rollbackOnClose();
            dc.close();
        } catch (RuntimeException | InternalError ignored) {
            // the write already failed; what it left is rolled back or never became visible
        }
    }

    /**
     * A write into the claimed memory failed (the caller caught a fault while copying records):
     * the batch is dropped as if never claimed.
     */
    @Override
    public long writeFailed(JournalClaim claim, Throwable fault) {
        claim.abort();
        return unavailable(fault);
    }

    @Override
    public String unavailableReason() {
        String full = freeSpace.refusal();
        return full != null ? full : lastFailure;
    }

    private long unavailable(Throwable e) {
        String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
        lastFailure = "the last journal write failed: " + reason;
        if (loggedFailures.add(reason)) {
            LOG.error("journal {} cannot be written; publishes answer JOURNAL_UNAVAILABLE", config.directory(), e);
        }
        return PublishResult.JOURNAL_UNAVAILABLE;
    }

    @Override
    public ChronicleJournalReader newReader(boolean releasesMemory) {
        ChronicleJournalReader reader = new ChronicleJournalReader(queue.createTailer(), this);
        openResources.add(reader);
        return reader;
    }

    /**
     * The index just past the last record the queue holds, read from its last batch (any process
     * may have written it): 0 for an empty journal. Control path.
     */
    public long endOfJournal() {
        try (ExcerptTailer tailer = queue.createTailer()) {
            tailer.direction(TailerDirection.BACKWARD).toEnd();
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return 0;
                }
                Bytes<?> bytes = dc.wire().bytes();
                long batch = bytes.addressForRead(bytes.readPosition());
                JournalBatch.check(AddressSpace.ALL, batch, bytes.readRemaining(), this);
                return JournalBatch.firstIndex(AddressSpace.ALL, batch) + JournalBatch.count(AddressSpace.ALL, batch);
            }
        }
    }

    /**
     * The index of the oldest record the queue still holds (retention deletes old cycles), or
     * {@link #endOfJournal()} when it holds none. Control path.
     */
    public long startOfJournal() {
        try (ExcerptTailer tailer = queue.createTailer()) {
            tailer.toStart();
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return endOfJournal();
                }
                Bytes<?> bytes = dc.wire().bytes();
                long batch = bytes.addressForRead(bytes.readPosition());
                JournalBatch.check(AddressSpace.ALL, batch, bytes.readRemaining(), this);
                return JournalBatch.firstIndex(AddressSpace.ALL, batch);
            }
        }
    }

    /** What {@link #visitIdsNewestFirst} hands over, record by record. */
    @FunctionalInterface
    public interface IdVisitor {
        /** @return false to stop */
        boolean visit(long eventId, long index, long journaledAtEpochNanos);
    }

    /**
     * Hands the eventIds of the newest {@code maxRecords} records to {@code visitor}, newest first,
     * until it returns false (the dedup window's restore at start-up). Control path.
     *
     * <p>Chronicle reads backwards one document at a time through its index (a scan per step), so
     * the records are read forwards from the first one wanted — found by binary search — into two
     * arrays, then handed over from the end.
     *
     * @return records visited
     */
    public long visitIdsNewestFirst(long maxRecords, IdVisitor visitor) {
        long end = endOfJournal();
        long from = Math.max(startOfJournal(), end - Math.max(0, maxRecords));
        if (from >= end) {
            return 0;
        }
        int count = Math.toIntExact(end - from);
        long[] ids = new long[count];
        long[] journaledAt = new long[count];
        try (ExcerptTailer tailer = queue.createTailer()) {
            long batchIndex = batchHolding(from);
            if (batchIndex < 0 || !tailer.moveToIndex(batchIndex)) {
                return 0;
            }
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    Bytes<?> bytes = dc.wire().bytes();
                    long batch = bytes.addressForRead(bytes.readPosition());
                    JournalBatch.check(AddressSpace.ALL, batch, bytes.readRemaining(), this);
                    long index = JournalBatch.firstIndex(AddressSpace.ALL, batch);
                    int records = JournalBatch.count(AddressSpace.ALL, batch);
                    long at = batch + JournalBatch.HEADER_LENGTH;
                    long batchJournaledAt = JournalBatch.journaledAt(AddressSpace.ALL, batch);
                    for (int i = 0; i < records && index < end; i++, index++) {
                        if (index >= from) {
                            ids[(int) (index - from)] = JournalRecord.eventId(AddressSpace.ALL, at + JournalBatch.RECORD_LENGTH_PREFIX);
                            journaledAt[(int) (index - from)] = batchJournaledAt;
                        }
                        at += JournalBatch.RECORD_LENGTH_PREFIX + JournalBatch.recordLength(AddressSpace.ALL, at);
                    }
                    if (index >= end) {
                        break;
                    }
                }
            }
        }
        long visited = 0;
        for (int i = count - 1; i >= 0; i--) {
            visited++;
            if (!visitor.visit(ids[i], from + i, journaledAt[i])) {
                break;
            }
        }
        return visited;
    }

    /**
     * The Chronicle index of the batch holding journal index {@code index}, or -1 when the index
     * is at or past the end of the journal. Control path: a binary search over the documents.
     *
     * @throws IllegalStateException when the index lies before the first batch the journal still
     *                               holds (deleted by retention)
     */
    long batchHolding(long index) {
        try (JournalLookup lookup = new JournalLookup(this)) {
            long found = lookup.batchHolding(index, -1);
            if (found < 0 && index < startOfJournal()) {
                throw new IllegalStateException("journal index " + index + " is older than the first event "
                    + config.directory() + " still holds (deleted by retention, or a checkpoint from another journal?)");
            }
            return found;
        }
    }

    /** The first journal index of the batch at Chronicle index {@code chronicleIndex}, or -1 if there is none. */
    static long firstIndexAt(ExcerptTailer tailer, long chronicleIndex) {
        if (!tailer.moveToIndex(chronicleIndex)) {
            return -1;
        }
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return -1;
            }
            Bytes<?> bytes = dc.wire().bytes();
            return JournalBatch.firstIndex(AddressSpace.ALL, bytes.addressForRead(bytes.readPosition()));
        }
    }

    /** The roll cycle of the file holding journal index {@code index} (retention). Control path. */
    int cycleHolding(long index) {
        long batch = batchHolding(index);
        return batch < 0 ? queue.lastCycle() : queue.rollCycle().toCycle(batch);
    }

    public JournalConfig config() {
        return config;
    }

    /** Checks the free space now (tests; the pretoucher's thread does it every 10 ms). */
    void checkFreeSpace() {
        freeSpace.check();
    }

    /** The writer's own prefaulting (tests). */
    WriterPrefault prefault() {
        return prefault;
    }

    /** The writer's pretoucher, once the first claim started it (tests). */
    JournalPretoucher pretoucher() {
        return pretoucher;
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
        if (pretoucher != null) {
            pretoucher.close();
        }
        if (appender != null) {
            appender.close();
        }
        queue.close();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ChronicleJournal[%s, %s]", config.directory(), config.rollCycle());
    }
}
