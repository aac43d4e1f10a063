package io.ferrite.engine.state;

import io.ferrite.offheap.Region;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An off-heap hash table from eventId to journal index: open addressing with linear probing over
 * one block of memory, a power-of-two number of 16-byte slots. eventId 0 marks an empty slot
 * (FWP/1 never deduplicates id 0). A removal shifts the entries after it back into place, so
 * there are no tombstones: a probe never walks past an empty slot, and lookups stay short however
 * many entries came and went.
 *
 * <pre>
 *  slot i (16 bytes, aligned)        home slot of an id: mix(eventId) &amp; (slots - 1)
 *  +-----------------+-----------------+
 *  | eventId u64     | index u64       |
 *  +-----------------+-----------------+
 * </pre>
 *
 * No allocation per operation; the memory is an anonymous mapping (huge-page advised), zero-filled,
 * committed as it is touched.
 *
 * <p>Thread-safety: single-threaded: owned by the sequencer (see {@link DedupWindow}).
 */
public final class DedupTable implements AutoCloseable {
    /** {@link #putIfAbsent}, {@link #get}: the id is not in the table. */
    public static final long ABSENT = -1;
    static final int SLOT_BYTES = 16;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

    private final Region region;
    private final MemorySegment slots;
    private final long mask;
    private final long capacity;
    private long size;

    /** A table for at most {@code maxEntries} ids, kept at most three quarters full. */
    public DedupTable(long maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("a dedup table needs room for at least one id, was " + maxEntries);
        }
        this.capacity = Math.max(16, Long.highestOneBit(Math.ceilDiv(maxEntries * 4, 3) - 1) << 1);
        this.mask = capacity - 1;
        this.region = Region.allocate(capacity * SLOT_BYTES, true);
        this.slots = region.memory();
    }

    /** Bytes of memory the table takes (every slot, used or not). */
    public long byteSize() {
        return capacity * SLOT_BYTES;
    }

    public long capacity() {
        return capacity;
    }

    public long size() {
        return size;
    }

    /**
     * Inserts {@code eventId → index} unless the id is there.
     *
     * @return {@link #ABSENT} when it was inserted, else the index the table already holds
     */
    public long putIfAbsent(long eventId, long index) {
        long slot = home(eventId);
        while (true) {
            long at = slot * SLOT_BYTES;
            long id = slots.get(LONG, at);
            if (id == 0) {
                if (size == capacity - 1) {
                    throw new IllegalStateException("dedup table full: " + size + " ids");
                }
                slots.set(LONG, at + 8, index);
                slots.set(LONG, at, eventId);
                size++;
                return ABSENT;
            }
            if (id == eventId) {
                return slots.get(LONG, at + 8);
            }
            slot = (slot + 1) & mask;
        }
    }

    /** The index held for {@code eventId}, or {@link #ABSENT}. */
    public long get(long eventId) {
        long slot = home(eventId);
        while (true) {
            long at = slot * SLOT_BYTES;
            long id = slots.get(LONG, at);
            if (id == 0) {
                return ABSENT;
            }
            if (id == eventId) {
                return slots.get(LONG, at + 8);
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * Loads the first word of {@code eventId}'s home slot and returns it: call it for a run of ids
     * before probing for them, and their cache misses overlap instead of following one another
     * (the caller keeps the results, so the loads are not optimised away).
     */
    public long touch(long eventId) {
        return slots.get(LONG, home(eventId) * SLOT_BYTES);
    }

    /** Removes {@code eventId}; returns whether it was there. */
    public boolean remove(long eventId) {
        long slot = home(eventId);
        while (true) {
            long id = slots.get(LONG, slot * SLOT_BYTES);
            if (id == 0) {
                return false;
            }
            if (id == eventId) {
                shiftBack(slot);
                size--;
                return true;
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * Empties {@code hole} by moving later entries of its cluster back, each to the nearest slot
     * at or after its home: the invariant of linear probing (no empty slot between an entry's home
     * and its slot) holds again without a tombstone.
     */
    private void shiftBack(long hole) {
        long next = hole;
        while (true) {
            next = (next + 1) & mask;
            long id = slots.get(LONG, next * SLOT_BYTES);
            if (id == 0) {
                break;
            }
            long home = home(id);
            // the entry at next may fill the hole unless its home lies cyclically in (hole, next]
            boolean homeBetween = hole <= next ? hole < home && home <= next : hole < home || home <= next;
            if (homeBetween) {
                continue;
            }
            MemorySegment.copy(slots, next * SLOT_BYTES, slots, hole * SLOT_BYTES, SLOT_BYTES);
            hole = next;
        }
        slots.set(LONG, hole * SLOT_BYTES, 0L);
        slots.set(LONG, hole * SLOT_BYTES + 8, 0L);
    }

    private long home(long eventId) {
        return mix(eventId) & mask;
    }

    /** A 64-bit finalizer (MurmurHash3's fmix64): sequential ids spread over the whole table. */
    static long mix(long value) {
        long h = value;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public void close() {
        region.close();
    }
}
