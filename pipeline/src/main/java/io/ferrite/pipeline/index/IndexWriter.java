package io.ferrite.pipeline.index;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The index stage's side of the query index ({@link IndexLayout}): adds events in journal order,
 * keeps the head's reach up to date, writes the open segment's sets every flush and seals a full
 * segment. After a crash it starts again at the last sets written ({@link #next()}): the key
 * chains, written past it, are cut back to it first, so the events after it are indexed again
 * exactly once.
 *
 * <p>Thread-safety: single-threaded (the index stage's thread).
 */
final class IndexWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IndexWriter.class);
    /** How often the head's reach is published, at most every this many events (and at each batch's end). */
    private static final int PUBLISH_EVERY = 4_096;

    private final Path directory;
    private final MappedFile head;
    private final long flushEveryNanos;
    private KeyTable keys;
    private SegmentChain chain;
    private SegmentSets sets;
    /** The next journal index to index; -1 until the first event (a new index). */
    private long next;
    private long lastFlushNanos = System.nanoTime();
    private boolean dirty;

    IndexWriter(Path directory, long flushEveryNanos) {
        this.directory = directory;
        this.flushEveryNanos = flushEveryNanos;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the index directory " + directory + ": " + e.getMessage(), e);
        }
        this.head = MappedFile.openWritable(IndexLayout.head(directory), IndexLayout.HEAD_BYTES);
        boolean fresh = head.getLong(0) != IndexLayout.MAGIC;
        if (fresh) {
            head.putLong(IndexLayout.HEAD_INDEXED_UP_TO, -1);
            head.putLong(IndexLayout.HEAD_KEYS_GENERATION, 0);
            head.putLong(IndexLayout.HEAD_FIRST_INDEXED, -1);
            head.putLongRelease(0, IndexLayout.MAGIC);
        }
        long generation = head.getLong(IndexLayout.HEAD_KEYS_GENERATION);
        this.keys = KeyTable.openWritable(directory, generation, KeyTable.INITIAL_CAPACITY);
        this.next = fresh || head.getLong(IndexLayout.HEAD_FIRST_INDEXED) < 0 ? -1 : resumePoint();
        if (next >= 0) {
            long reached = head.getLong(IndexLayout.HEAD_INDEXED_UP_TO);
            if (reached > next) {
                cutChainsBackTo(next);
                LOG.info("index {}: starts again at journal index {} (the chains reached {}; the sets were written to {})",
                    directory, next, reached, next);
            }
            head.putLongRelease(IndexLayout.HEAD_INDEXED_UP_TO, next);
            chain = SegmentChain.openWritable(directory, IndexLayout.segmentOf(next));
        }
    }

    /** Where the sets written last end: the sealed segment's successor, or the open sets' reach. */
    private long resumePoint() {
        SegmentSets open = SegmentSets.read(IndexLayout.openSets(directory));
        long first = head.getLong(IndexLayout.HEAD_FIRST_INDEXED);
        if (open == null) {
            sets = new SegmentSets(IndexLayout.segmentOf(first));
            return first;
        }
        if (Files.exists(IndexLayout.sealedSets(directory, open.segment))) { // sealed, the next one not yet begun
            sets = new SegmentSets(open.segment + 1);
            return IndexLayout.segmentStart(open.segment + 1);
        }
        sets = SegmentSets.continuing(open);
        return Math.max(first, IndexLayout.segmentStart(open.segment) + open.covered);
    }

    /** Every key whose newest event is at or past {@code from} goes back along its chain to before it. */
    private void cutChainsBackTo(long from) {
        long segment = IndexLayout.segmentOf(from);
        try (SegmentChain last = SegmentChain.openWritable(directory, segment)) {
            for (long slot = 0; slot < keys.capacity(); slot++) {
                if (!keys.occupied(slot)) {
                    continue;
                }
                long newest = keys.newestAt(slot);
                if (newest < from) {
                    continue;
                }
                while (newest >= from) { // every event past `from` lies in from's segment: sealing rewrites the open sets
                    newest = IndexLayout.segmentOf(newest) == segment ? last.previous(IndexLayout.offsetInSegment(newest)) : -1;
                }
                keys.setNewestRelease(slot, newest);
            }
        }
    }

    /** The next journal index this writer expects, or -1 before its first event. */
    long next() {
        return next;
    }

    /** The first journal index the index holds, or -1. */
    long firstIndexed() {
        return head.getLong(IndexLayout.HEAD_FIRST_INDEXED);
    }

    /**
     * Begins a tag set for the event at {@code index} (which must be {@link #next()}, or any index
     * for a new index): its type, key and timestamp. Tags follow with {@link #addTag}.
     */
    void add(long index, int type, long key, long timestampNanos) {
        if (next < 0) {
            head.putLong(IndexLayout.HEAD_FIRST_INDEXED, index);
            head.putLongRelease(IndexLayout.HEAD_INDEXED_UP_TO, index);
            sets = new SegmentSets(IndexLayout.segmentOf(index));
            chain = SegmentChain.openWritable(directory, IndexLayout.segmentOf(index));
            next = index;
        }
        if (index != next) {
            throw new IllegalStateException("the index expects journal index " + next + ", got " + index);
        }
        long segment = IndexLayout.segmentOf(index);
        if (segment != sets.segment) {
            seal(segment);
        }
        int offset = IndexLayout.offsetInSegment(index);
        if (keys.full()) {
            grow();
        }
        long slot = keys.slotFor(key);
        chain.previous(offset, keys.newestAt(slot)); // the chain entry first, then the newest (release)
        keys.setNewestRelease(slot, index);
        chain.timestamp(offset, timestampNanos);
        chain.addToBlock(offset >>> IndexLayout.BLOCK_BITS, timestampNanos);
        sets.addType(type, offset);
        next = index + 1;
        dirty = true;
        if ((next & (PUBLISH_EVERY - 1)) == 0) {
            publish();
        }
    }

    /** Whether the 64 events of the one about to be added at {@code index} do not know their journal position yet. */
    boolean needsPosition(long index) {
        return chain == null || IndexLayout.segmentOf(index) != chain.segment
            || chain.position(IndexLayout.offsetInSegment(index)) < 0;
    }

    /**
     * The event added last (the first of its 64 to be added) lies in the batch at Chronicle index
     * {@code position}, at {@code place} in its cycle file.
     */
    void position(long position, long place) {
        chain.place(IndexLayout.offsetInSegment(next - 1), place);
        chain.position(IndexLayout.offsetInSegment(next - 1), position);
    }

    /** The event added last has {@code tag}. */
    void addTag(String tag) {
        sets.addTag(tag, IndexLayout.offsetInSegment(next - 1));
    }

    /** At a batch's end: publishes the reach; writes the open sets when a flush is due. */
    void endOfBatch(long nowNanos) {
        publish();
        if (dirty && nowNanos - lastFlushNanos >= flushEveryNanos) {
            flush(nowNanos);
        }
    }

    /** Writes the open sets when something was added since the last flush and a flush is due. */
    void flushIfDue(long nowNanos) {
        if (dirty && nowNanos - lastFlushNanos >= flushEveryNanos) {
            publish();
            flush(nowNanos);
        }
    }

    private void publish() {
        head.putLongRelease(IndexLayout.HEAD_INDEXED_UP_TO, next);
    }

    /** Writes the open segment's sets (covering everything added so far). */
    void flush(long nowNanos) {
        if (sets == null) {
            return;
        }
        sets.covered = (int) Math.min(IndexLayout.SEGMENT_EVENTS, next - IndexLayout.segmentStart(sets.segment));
        sets.writeTo(IndexLayout.openSets(directory));
        lastFlushNanos = nowNanos;
        dirty = false;
    }

    /** The open segment is full: its sets become a sealed file; {@code segment} opens. */
    private void seal(long segment) {
        sets.covered = (int) IndexLayout.SEGMENT_EVENTS;
        sets.writeTo(IndexLayout.sealedSets(directory, sets.segment));
        sets = new SegmentSets(segment);
        sets.writeTo(IndexLayout.openSets(directory)); // covers nothing of the new segment yet
        chain.close();
        chain = SegmentChain.openWritable(directory, segment);
    }

    /** Moves the keys into a table twice as large (a new generation) and publishes it. */
    private void grow() {
        KeyTable larger = KeyTable.openWritable(directory, keys.generation() + 1, keys.capacity() * 2);
        for (long slot = 0; slot < keys.capacity(); slot++) {
            if (keys.occupied(slot)) {
                long moved = larger.slotFor(keys.keyAt(slot));
                larger.setNewestRelease(moved, keys.newestAt(slot));
            }
        }
        head.putLongRelease(IndexLayout.HEAD_KEYS_GENERATION, larger.generation());
        Path old = keys.path();
        keys.close();
        keys = larger;
        try {
            Files.deleteIfExists(old); // a reader that mapped it keeps its mapping
        } catch (IOException e) {
            LOG.warn("index {}: could not delete the old key table {}: {}", directory, old, e.toString());
        }
    }

    /** Distinct keys indexed. */
    long keys() {
        return keys.size();
    }

    @Override
    public void close() {
        if (next >= 0) {
            publish();
            flush(System.nanoTime());
        }
        if (chain != null) {
            chain.close();
        }
        keys.close();
        head.close();
    }
}
