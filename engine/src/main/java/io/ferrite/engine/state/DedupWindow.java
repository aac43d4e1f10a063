package io.ferrite.engine.state;

import io.ferrite.offheap.Region;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * The dedup window: which eventIds were journaled recently, and where. A {@link DedupTable}
 * answers "seen?" in O(1); a FIFO ring of the ids in insertion order, each with the millisecond it
 * entered, decides what leaves: the oldest ids once more than {@code maxEntries} are held, and
 * every id older than {@code maxAge}. An id stays in the window at least until one of those bounds
 * passes it.
 *
 * <p>Inserts are provisional until the journal batch holding them is committed: the sequencer
 * takes a {@link #mark()}, inserts the batch's ids, and either {@link #rollbackTo rolls back} to
 * the mark (the append failed: nothing of the batch is remembered) or lets them stand and calls
 * {@link #evict}. Evictions happen only after a commit, so a failed append never costs an older id
 * its place; the ring has room for {@code headroom} provisional ids beyond {@code maxEntries}.
 *
 * <pre>
 *  ring (maxEntries + headroom entries, a circular buffer)    table
 *   head (oldest)                 tail (next insert)           eventId → journal index
 *   | id  | id  | id  | ... | id  |                            (DedupTable)
 *   | ms  | ms  | ms  | ... | ms  |   ms: when it entered, relative to the window's start
 * </pre>
 * Memory: the table (≤ 32 bytes an id at its largest load) plus 12 bytes an id for the ring.
 *
 * <p>The journal is the window's source of truth: after a restart the engine refills it from the
 * journal's newest records ({@link #restoreOlder}) before the first publish.
 *
 * <p>Thread-safety: single-threaded: owned by the sequencer (under its lock), or by the engine's
 * start thread while it restores.
 */
public final class DedupWindow implements AutoCloseable {
    /** The longest max age: ages are kept as 32-bit millisecond differences. */
    public static final long MAX_AGE_LIMIT_NANOS = TimeUnit.DAYS.toNanos(24);

    private final DedupTable table;
    private final Region ringMemory;
    private final MemorySegment ringIds;
    private final MemorySegment ringMillis;
    private final long ringCapacity;
    private final long maxEntries;
    private final long maxAgeMillis;
    private final long startNanos;
    /**
     * Ring positions: slot = position % ringCapacity. Inserts advance {@code tail}; evictions
     * advance {@code head}; restores, which come before any insert, move {@code head} back (both
     * start at ringCapacity, so they never go below zero).
     */
    private long head;
    private long tail;
    private long evictedByCount;
    private long evictedByAge;

    /**
     * @param maxEntries the most ids held once a batch is committed
     * @param maxAgeNanos how long an id is held at most (≤ {@link #MAX_AGE_LIMIT_NANOS})
     * @param headroom   the most ids one batch may insert provisionally
     */
    public DedupWindow(long maxEntries, long maxAgeNanos, int headroom) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("a dedup window holds at least one id, was " + maxEntries);
        }
        if (maxAgeNanos <= 0 || maxAgeNanos > MAX_AGE_LIMIT_NANOS) {
            throw new IllegalArgumentException("dedup max age must be in (0, 24 days], was " + maxAgeNanos + " ns");
        }
        this.maxEntries = maxEntries;
        this.maxAgeMillis = TimeUnit.NANOSECONDS.toMillis(maxAgeNanos);
        this.ringCapacity = maxEntries + Math.max(1, headroom);
        this.table = new DedupTable(ringCapacity);
        try {
            this.ringMemory = Region.allocate(ringCapacity * (Long.BYTES + Integer.BYTES), true);
        } catch (RuntimeException | Error e) {
            table.close();
            throw e;
        }
        this.ringIds = ringMemory.memory().asSlice(0, ringCapacity * Long.BYTES);
        this.ringMillis = ringMemory.memory().asSlice(ringCapacity * Long.BYTES, ringCapacity * Integer.BYTES);
        this.startNanos = System.nanoTime();
        this.head = ringCapacity;
        this.tail = ringCapacity;
    }

    /** Milliseconds since the window started, as the ring keeps them (wrapping every 49 days). */
    public int millisAt(long nanoTime) {
        return (int) TimeUnit.NANOSECONDS.toMillis(nanoTime - startNanos);
    }

    /**
     * Inserts {@code eventId → index} provisionally unless the window holds the id.
     *
     * @param nowMillis {@link #millisAt} of the batch's clock reading
     * @return {@link DedupTable#ABSENT} when inserted, else the journal index of the original
     */
    public long putIfAbsent(long eventId, long index, int nowMillis) {
        long existing = table.putIfAbsent(eventId, index);
        if (existing != DedupTable.ABSENT) {
            return existing;
        }
        if (tail - head == ringCapacity) {
            table.remove(eventId);
            throw new IllegalStateException("dedup window: more than " + (ringCapacity - maxEntries)
                + " provisional ids in one batch");
        }
        long slot = tail % ringCapacity;
        ringIds.setAtIndex(ValueLayout.JAVA_LONG, slot, eventId);
        ringMillis.setAtIndex(ValueLayout.JAVA_INT, slot, nowMillis);
        tail++;
        return DedupTable.ABSENT;
    }

    /**
     * Brings into cache the table slots that the lookups of {@code eventIds} and the evictions they
     * will cause are going to touch, all at once: a million-id table does not fit the caches, and
     * misses taken together cost about one.
     *
     * @return a value derived from what was loaded (keep it, so the loads stay)
     */
    public long prefetch(long[] eventIds, int count) {
        long sink = 0;
        for (int i = 0; i < count; i++) {
            if (eventIds[i] != 0) {
                sink += table.touch(eventIds[i]);
            }
        }
        long evictions = Math.min(tail - head + count - maxEntries, tail - head);
        for (long position = head; position < head + evictions; position++) {
            sink += table.touch(ringIds.getAtIndex(ValueLayout.JAVA_LONG, position % ringCapacity));
        }
        return sink;
    }

    /** The journal index held for {@code eventId}, or {@link DedupTable#ABSENT}. */
    public long get(long eventId) {
        return table.get(eventId);
    }

    /** Where provisional inserts start: pass it to {@link #rollbackTo} to forget them. */
    public long mark() {
        return tail;
    }

    /** Forgets every id inserted since {@code mark}, newest first. */
    public void rollbackTo(long mark) {
        while (tail > mark) {
            tail--;
            table.remove(ringIds.getAtIndex(ValueLayout.JAVA_LONG, tail % ringCapacity));
        }
    }

    /**
     * Drops the oldest ids while more than {@code maxEntries} are held, and every id older than
     * the max age. Call after a commit, with the batch's clock reading.
     *
     * @return ids dropped
     */
    public int evict(int nowMillis) {
        int evicted = 0;
        while (tail - head > maxEntries) {
            dropOldest();
            evictedByCount++;
            evicted++;
        }
        return evicted + expire(nowMillis);
    }

    /**
     * Drops every id older than the max age. Call before a batch's lookups too: a window that only
     * sees duplicates commits nothing, yet its ids must still age out.
     *
     * @return ids dropped
     */
    public int expire(int nowMillis) {
        int expired = 0;
        while (head < tail && nowMillis - ringMillis.getAtIndex(ValueLayout.JAVA_INT, head % ringCapacity) > maxAgeMillis) {
            dropOldest();
            evictedByAge++;
            expired++;
        }
        return expired;
    }

    private void dropOldest() {
        table.remove(ringIds.getAtIndex(ValueLayout.JAVA_LONG, head % ringCapacity));
        head++;
    }

    /**
     * Restores an id journaled before this process, older than every id held so far: the engine
     * reads the journal backwards from its end and calls this for each id until it returns false.
     * An id already held (a newer occurrence of it was restored first) is skipped. Its age counts
     * from when it was journaled, so the window keeps what it promised across the restart.
     *
     * @param ageNanos how long ago the id was journaled (the batch's time against the clock now)
     * @return false once the window is full or the id is older than the max age: stop reading
     */
    public boolean restoreOlder(long eventId, long index, long ageNanos) {
        long ageMillis = TimeUnit.NANOSECONDS.toMillis(Math.max(0, ageNanos));
        if (tail - head >= maxEntries || ageMillis > maxAgeMillis) {
            return false;
        }
        if (table.putIfAbsent(eventId, index) == DedupTable.ABSENT) {
            head--;
            long slot = head % ringCapacity;
            ringIds.setAtIndex(ValueLayout.JAVA_LONG, slot, eventId);
            ringMillis.setAtIndex(ValueLayout.JAVA_INT, slot, (int) (millisAt(System.nanoTime()) - ageMillis));
        }
        return true;
    }

    /** Ids held now. */
    public long size() {
        return tail - head;
    }

    public long maxEntries() {
        return maxEntries;
    }

    /** Ids dropped because the window was full, since it started. */
    public long evictedByCount() {
        return evictedByCount;
    }

    /** Ids dropped because they grew older than the max age, since it started. */
    public long evictedByAge() {
        return evictedByAge;
    }

    /** Off-heap bytes held by the table and the ring. */
    public long byteSize() {
        return table.byteSize() + ringMemory.memory().byteSize();
    }

    @Override
    public void close() {
        try {
            table.close();
        } finally {
            ringMemory.close();
        }
    }
}
