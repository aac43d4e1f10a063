package io.ferrite.engine.journal;

import io.ferrite.offheap.AddressSpace;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.util.Arrays;

/**
 * Reads single records of a Chronicle journal by journal index, in any order: what a query does
 * with the indexes an index found, and how the index learns where its events' batches lie. One
 * tailer, reused. A record a little after the batch read last is reached by reading on, document by
 * document, from where the tailer stands (no jump); one further away from the Chronicle index of a
 * batch at or before it that the caller knows (a hint, as the query index keeps every 64 events),
 * or else by a binary search over its roll cycle's documents (a jump costs tens of µs).
 *
 * <p>Thread-safety: single-threaded; close it when done. Safe while a writer appends.
 */
public final class JournalLookup implements AutoCloseable {
    /** Events past the batch read last within which reading on beats a jump. */
    private static final long READ_ON_EVENTS = 4_096;
    /** A {@link #batchPlace()}: the cycle above these bits, the byte position in its file below. */
    private static final int POSITION_BITS = 40;
    private static final long POSITION_MASK = (1L << POSITION_BITS) - 1;

    private final ChronicleJournal journal;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final ExcerptTailer tailer;
    private int[] cycles = new int[0];
    private long[] cycleFirst = new long[0];
    /** Documents per cycle, for cycles before the last (they no longer grow); 0: not known yet. */
    private long[] cycleDocuments = new long[0];
    /** The batch read last: its Chronicle index and journal indexes [first, end). */
    private long batchChronicleIndex = -1;
    private long batchFirst = -1;
    private long batchEnd = -1;
    /** Where the batch read last lies: its cycle and byte position in that cycle's file. */
    private long batchPlace = -1;
    /** Cycle files mapped read-only for {@link #readAt}, by cycle, each in an arena of its own (unmapped alone). */
    private final java.util.Map<Integer, Mapping> cycleFiles = new java.util.HashMap<>();
    private final java.time.format.DateTimeFormatter fileNames;

    public JournalLookup(ChronicleJournal journal) {
        this.journal = journal;
        this.queue = journal.queue();
        this.rollCycle = queue.rollCycle();
        this.tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        this.fileNames = java.time.format.DateTimeFormatter.ofPattern(rollCycle.format()).withZone(java.time.ZoneOffset.UTC);
    }

    /**
     * Where the batch found last lies, as {@link #readAt} takes it: its roll cycle and the byte
     * position in that cycle's file (the query index keeps it beside the Chronicle index), or -1.
     */
    public long batchPlace() {
        return batchPlace;
    }

    /**
     * Hands the record at {@code index} to {@code consumer}, reading the batch straight from its
     * cycle file at {@code place} (a {@link #batchPlace()}): no Chronicle index walk, which on a
     * journal of large batches scans up to 255 documents to reach one. When the place does not hold
     * a batch with that index (a file replaced, a place from elsewhere), it falls back to {@link
     * #read(long, long, RecordConsumer)} with {@code hint}.
     */
    public boolean readAt(long place, long index, long hint, RecordConsumer consumer) {
        java.lang.foreign.MemorySegment file = place < 0 ? null : cycleFile((int) (place >>> POSITION_BITS),
            (place & POSITION_MASK) + JournalBatch.HEADER_LENGTH);
        long batch = place & POSITION_MASK;
        if (file != null && batch + JournalBatch.HEADER_LENGTH <= file.byteSize()
            && JournalBatch.format(file, batch) == JournalBatch.FORMAT) {
            long first = JournalBatch.firstIndex(file, batch);
            int count = JournalBatch.count(file, batch);
            if (index >= first && index < first + count) {
                long at = batch + JournalBatch.HEADER_LENGTH;
                for (long i = first; i < index && at + JournalBatch.RECORD_LENGTH_PREFIX <= file.byteSize(); i++) {
                    at += JournalBatch.RECORD_LENGTH_PREFIX + JournalBatch.recordLength(file, at);
                }
                if (at + JournalBatch.RECORD_LENGTH_PREFIX <= file.byteSize()) {
                    int length = JournalBatch.recordLength(file, at);
                    if (at + JournalBatch.RECORD_LENGTH_PREFIX + length <= file.byteSize()) {
                        consumer.onRecord(file, at + JournalBatch.RECORD_LENGTH_PREFIX, length, index, true);
                        return true;
                    }
                }
            }
        }
        return read(index, hint, consumer);
    }

    /** A cycle file's read-only mapping and the arena that unmaps it. */
    private record Mapping(java.lang.foreign.Arena arena, java.lang.foreign.MemorySegment memory) {
    }

    /**
     * Cycle {@code cycle}'s file mapped read-only, at least {@code needed} bytes of it, or null. A
     * file that grew past its mapping is mapped again and the old mapping released at once (the
     * open cycle grows all day: mappings must not pile up), and so are those of cycles retention
     * deleted (their disk space is freed only once nothing maps them).
     */
    private java.lang.foreign.MemorySegment cycleFile(int cycle, long needed) {
        Mapping mapped = cycleFiles.get(cycle);
        if (mapped != null && mapped.memory().byteSize() >= needed) {
            return mapped.memory();
        }
        int oldest = queue.firstCycle();
        cycleFiles.entrySet().removeIf(entry -> {
            boolean gone = entry.getKey() < oldest || entry.getKey() == cycle;
            if (gone) {
                entry.getValue().arena().close(); // single-threaded: no segment of it is in use now
            }
            return gone;
        });
        java.nio.file.Path path = journal.config().directory().resolve(
            fileNames.format(java.time.Instant.ofEpochMilli(cycle * (long) rollCycle.lengthInMillis())) + ".cq4");
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(path,
            java.nio.file.StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < needed) {
                return null;
            }
            java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared();
            java.lang.foreign.MemorySegment memory = channel.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, size,
                arena);
            cycleFiles.put(cycle, new Mapping(arena, memory));
            return memory;
        } catch (java.io.IOException e) {
            return null; // deleted by retention, say: the Chronicle path answers
        }
    }

    /** As {@link #read(long, long, RecordConsumer)} without a hint. */
    public boolean read(long index, RecordConsumer consumer) {
        return read(index, -1, consumer);
    }

    /**
     * Hands the record at journal index {@code index} to {@code consumer} (valid during the call).
     *
     * @param hint the Chronicle index of a batch at or before the one holding {@code index}, or -1
     * @return false when the journal does not hold it (beyond its end, or deleted by retention)
     */
    public boolean read(long index, long hint, RecordConsumer consumer) {
        return walkTo(index, hint, consumer) >= 0;
    }

    /**
     * The Chronicle index of the batch holding journal index {@code index}, or -1 when the journal
     * does not hold it.
     *
     * @param hint as for {@link #read(long, long, RecordConsumer)}
     */
    public long batchHolding(long index, long hint) {
        return walkTo(index, hint, null);
    }

    private long walkTo(long index, long hint, RecordConsumer consumer) {
        boolean ahead = batchChronicleIndex >= 0 && index >= batchFirst; // the batch read last is at or before it
        if (ahead && index < batchEnd && consumer == null) {
            return batchChronicleIndex; // asked where, not what: no read at all
        }
        boolean readOn = ahead && index >= batchEnd && index - batchFirst < READ_ON_EVENTS
            && (hint < 0 || hint <= batchChronicleIndex);
        if (!readOn) { // the tailer already stands just past the batch read last; else it jumps (tens of µs)
            long start;
            if (ahead && hint >= 0) {
                start = Math.max(hint, batchChronicleIndex); // both at or before it: the later is nearer
            } else if (ahead && index - batchFirst < READ_ON_EVENTS) {
                start = batchChronicleIndex;
            } else {
                start = hint >= 0 ? hint : search(index);
            }
            if (start < 0 || !tailer.moveToIndex(start)) {
                return -1;
            }
        }
        while (true) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return -1;
                }
                Bytes<?> bytes = dc.wire().bytes();
                long batch = bytes.addressForRead(bytes.readPosition());
                JournalBatch.check(AddressSpace.ALL, batch, bytes.readRemaining(), journal);
                long first = JournalBatch.firstIndex(AddressSpace.ALL, batch);
                long end = first + JournalBatch.count(AddressSpace.ALL, batch);
                batchChronicleIndex = dc.index();
                batchFirst = first;
                batchEnd = end;
                batchPlace = ((long) rollCycle.toCycle(batchChronicleIndex) << POSITION_BITS)
                    | (bytes.readPosition() & POSITION_MASK);
                if (index < first) {
                    return -1; // deleted, or a hint past it
                }
                if (index < end) {
                    if (consumer != null) {
                        long at = batch + JournalBatch.HEADER_LENGTH;
                        for (long i = first; i < index; i++) {
                            at += JournalBatch.RECORD_LENGTH_PREFIX + JournalBatch.recordLength(AddressSpace.ALL, at);
                        }
                        consumer.onRecord(AddressSpace.ALL, at + JournalBatch.RECORD_LENGTH_PREFIX,
                            JournalBatch.recordLength(AddressSpace.ALL, at), index, true);
                    }
                    return batchChronicleIndex;
                }
            }
        }
    }

    /** The Chronicle index of the batch holding {@code index} by binary search, or -1. */
    private long search(long index) {
        int position = cycleHolding(index);
        if (position < 0) {
            return -1;
        }
        int cycle = cycles[position];
        long low = 0;
        long high = documents(position);
        while (high - low > 1) { // batch `low` starts at or before index; batch `high` does not exist or starts after
            long mid = (low + high) >>> 1;
            long first = ChronicleJournal.firstIndexAt(tailer, rollCycle.toIndex(cycle, mid));
            if (first >= 0 && first <= index) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return rollCycle.toIndex(cycle, low);
    }

    private long documents(int position) {
        if (position == cycles.length - 1) {
            return journal.documentsIn(tailer, cycles[position]); // the last cycle grows
        }
        if (cycleDocuments[position] == 0) {
            cycleDocuments[position] = journal.documentsIn(tailer, cycles[position]);
        }
        return cycleDocuments[position];
    }

    /** The position in {@link #cycles} of the cycle whose first batch is the last to start at or before {@code index}; -1 when none. */
    private int cycleHolding(long index) {
        int last = queue.lastCycle();
        if (last < 0) {
            return -1;
        }
        if (cycles.length == 0 || cycles[cycles.length - 1] != last) {
            refreshCycles(last);
        }
        int at = Arrays.binarySearch(cycleFirst, index);
        return at >= 0 ? at : -at - 2;
    }

    private void refreshCycles(int last) {
        int first = queue.firstCycle();
        int[] known = new int[0];
        long[] firsts = new long[0];
        long[] documents = new long[0];
        for (Long cycle : queue.listCyclesBetween(first, last)) {
            int at = Arrays.binarySearch(cycles, cycle.intValue());
            long start = at >= 0 ? cycleFirst[at] : ChronicleJournal.firstIndexAt(tailer, rollCycle.toIndex(cycle.intValue(), 0));
            if (start >= 0) {
                known = Arrays.copyOf(known, known.length + 1);
                firsts = Arrays.copyOf(firsts, firsts.length + 1);
                documents = Arrays.copyOf(documents, documents.length + 1);
                known[known.length - 1] = cycle.intValue();
                firsts[firsts.length - 1] = start;
                documents[documents.length - 1] = at >= 0 && at < cycleDocuments.length ? cycleDocuments[at] : 0;
            }
        }
        cycles = known;
        cycleFirst = firsts;
        cycleDocuments = documents;
    }

    @Override
    public void close() {
        tailer.close();
        cycleFiles.values().forEach(mapping -> mapping.arena().close());
        cycleFiles.clear();
    }
}
