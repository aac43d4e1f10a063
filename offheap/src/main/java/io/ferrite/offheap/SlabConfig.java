package io.ferrite.offheap;

/**
 * How a slab pool is laid out and guarded.
 *
 * @param slotSize  bytes per slot; a positive multiple of 8 (use a multiple of 64 for
 *                  cache-line-aligned slots)
 * @param capacity  number of slots, at least 1
 * @param lockMemory mlock the backing memory so it is never paged out
 * @param hugePages  ask for huge pages (MAP_HUGETLB, else transparent huge page advice)
 * @param checked   double free and foreign slots throw {@link IllegalStateException}; when false
 *                  they are only caught by {@code assert} (run with {@code -ea})
 */
public record SlabConfig(int slotSize, int capacity, boolean lockMemory, boolean hugePages, boolean checked) {

    public SlabConfig {
        if (slotSize <= 0 || slotSize % 8 != 0) {
            throw new IllegalArgumentException("slotSize must be a positive multiple of 8, was " + slotSize);
        }
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
    }

    /** A checked pool on ordinary pages, not locked. */
    public static SlabConfig of(int slotSize, int capacity) {
        return new SlabConfig(slotSize, capacity, false, false, true);
    }

    public SlabConfig withLockMemory(boolean lock) {
        return new SlabConfig(slotSize, capacity, lock, hugePages, checked);
    }

    public SlabConfig withHugePages(boolean huge) {
        return new SlabConfig(slotSize, capacity, lockMemory, huge, checked);
    }

    public SlabConfig withChecked(boolean check) {
        return new SlabConfig(slotSize, capacity, lockMemory, hugePages, check);
    }

    /** Total bytes of slot memory. */
    public long byteSize() {
        return (long) slotSize * capacity;
    }
}
