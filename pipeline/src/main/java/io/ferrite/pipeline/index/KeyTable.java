package io.ferrite.pipeline.index;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Each key's newest event: an open-addressing table (linear probing) in a mapped file, slots of
 * 16 bytes — the key, then 1 + the journal index of its newest event (0: the slot is free). Kept
 * at most half full, so a distinct key costs at most 32 bytes; when it would pass half, the writer
 * moves the keys into a table twice as large in a file of the next generation and publishes the
 * generation in the head (a reader in another process maps the new file at its next query).
 *
 * <p>Thread-safety: one writer (the index stage); readers in any process. The writer stores a
 * slot's newest index with release after the key chain entry it points to; a new key's index
 * before its key, both before the reader may look (the head's published reach).
 */
final class KeyTable implements AutoCloseable {
    static final int HEADER_BYTES = 64;
    static final int SLOT_BYTES = 16;
    private static final long CAPACITY_AT = 8;
    private static final long SIZE_AT = 16;
    static final long INITIAL_CAPACITY = 1L << 16;
    /** In a slot's newest field: the key is there, but none of its events is (after a repair). */
    private static final long NO_EVENT = Long.MAX_VALUE;

    private final MappedFile file;
    private final long capacity;
    private final long mask;
    private final long generation;
    private long size;

    private KeyTable(MappedFile file, long capacity, long generation) {
        this.file = file;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.generation = generation;
        this.size = file.getLong(SIZE_AT);
    }

    /** Opens generation {@code generation} in {@code directory} for writing, creating it with {@code capacity} slots. */
    static KeyTable openWritable(Path directory, long generation, long capacity) {
        Path path = IndexLayout.keys(directory, generation);
        boolean exists = Files.exists(path);
        MappedFile file = MappedFile.openWritable(path, HEADER_BYTES + capacity * SLOT_BYTES);
        if (!exists || file.getLong(0) != IndexLayout.MAGIC) {
            file.putLong(CAPACITY_AT, capacity);
            file.putLong(SIZE_AT, 0);
            file.putLongRelease(0, IndexLayout.MAGIC);
        }
        long stored = file.getLong(CAPACITY_AT);
        if (stored != capacity) {
            file.close();
            return openWritable(directory, generation, stored);
        }
        return new KeyTable(file, capacity, generation);
    }

    /** Opens generation {@code generation} read-only, or null when it does not exist (yet). */
    static KeyTable openReadOnly(Path directory, long generation) {
        MappedFile file = MappedFile.openReadOnly(IndexLayout.keys(directory, generation), Long.MAX_VALUE);
        if (file == null || file.size() < HEADER_BYTES || file.getLongAcquire(0) != IndexLayout.MAGIC) {
            if (file != null) {
                file.close();
            }
            return null;
        }
        return new KeyTable(file, file.getLong(CAPACITY_AT), generation);
    }

    /** The journal index of {@code key}'s newest event, or -1 (acquire: its chain entry is visible). */
    long newest(long key) {
        long slot = slotOf(key);
        for (long probes = 0; probes < capacity; probes++) {
            long at = HEADER_BYTES + slot * SLOT_BYTES;
            long newest = file.getLongAcquire(at + 8);
            if (newest == 0) {
                return -1;
            }
            if (file.getLong(at) == key) {
                return newest == NO_EVENT ? -1 : newest - 1;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /** Writer: the slot of {@code key}, claimed (with no event yet) when the key is new. */
    long slotFor(long key) {
        long slot = slotOf(key);
        while (true) {
            long at = HEADER_BYTES + slot * SLOT_BYTES;
            long newest = file.getLong(at + 8);
            if (newest == 0) {
                file.putLong(at, key);
                file.putLongRelease(at + 8, NO_EVENT);
                file.putLong(SIZE_AT, ++size);
                return slot;
            }
            if (file.getLong(at) == key) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Writer: {@code index} is the newest event of the key at {@code slot} (release: after its chain entry). */
    void setNewestRelease(long slot, long index) {
        file.putLongRelease(HEADER_BYTES + slot * SLOT_BYTES + 8, index < 0 ? NO_EVENT : index + 1);
    }

    long keyAt(long slot) {
        return file.getLong(HEADER_BYTES + slot * SLOT_BYTES);
    }

    /** Whether {@code slot} holds a key. */
    boolean occupied(long slot) {
        return file.getLong(HEADER_BYTES + slot * SLOT_BYTES + 8) != 0;
    }

    /** The newest event of the key at an occupied {@code slot}, or -1. */
    long newestAt(long slot) {
        long newest = file.getLong(HEADER_BYTES + slot * SLOT_BYTES + 8);
        return newest == 0 || newest == NO_EVENT ? -1 : newest - 1;
    }

    /** Whether one more key would fill the table past half. */
    boolean full() {
        return (size + 1) * 2 > capacity;
    }

    long size() {
        return size;
    }

    long capacity() {
        return capacity;
    }

    long generation() {
        return generation;
    }

    private long slotOf(long key) {
        long h = key * 0x9E3779B97F4A7C15L; // Fibonacci hashing spreads sequential keys
        return (h ^ (h >>> 29)) & mask;
    }

    Path path() {
        return file.path();
    }

    @Override
    public void close() {
        file.close();
    }
}
