package io.ferrite.offheap;

import java.lang.foreign.MemorySegment;

/**
 * A slab pool for one owning thread: the free list is an {@code int} stack of slot indices,
 * plain loads and stores, no atomics.
 *
 * <p>Thread-safety: single-threaded; owned by one thread (e.g. one stage). Hand it over only
 * through a happens-before edge.
 */
public final class SingleOwnerSlabPool implements SlabPool {
    private final SlabConfig config;
    private final SlabMemory memory;
    private final MemorySegment slots;
    private final int[] freeStack;
    /** One bit per slot, set while allocated; null when neither checked nor -ea. */
    private final long[] allocated;
    private int freeCount;

    public SingleOwnerSlabPool(SlabConfig config) {
        this.config = config;
        this.memory = new SlabMemory(config);
        this.slots = memory.slots();
        this.freeStack = new int[config.capacity()];
        for (int i = 0; i < freeStack.length; i++) {
            freeStack[i] = freeStack.length - 1 - i;
        }
        this.freeCount = freeStack.length;
        this.allocated = SlotGuard.tracksState(config) ? new long[(config.capacity() + 63) >>> 6] : null;
    }

    @Override
    public int allocate() {
        if (freeCount == 0) {
            return EXHAUSTED;
        }
        int slot = freeStack[--freeCount];
        if (allocated != null) {
            allocated[slot >>> 6] |= 1L << slot;
        }
        return slot;
    }

    @Override
    public void free(int slot) {
        if (slot < 0 || slot >= freeStack.length) {
            SlotGuard.foreignSlot(config.checked(), slot, freeStack.length);
            return;
        }
        if (allocated != null) {
            long bit = 1L << slot;
            if ((allocated[slot >>> 6] & bit) == 0) {
                SlotGuard.doubleFree(config.checked(), slot);
                return;
            }
            allocated[slot >>> 6] &= ~bit;
        }
        freeStack[freeCount++] = slot;
    }

    @Override
    public MemorySegment memory() {
        return slots;
    }

    @Override
    public int slotSize() {
        return config.slotSize();
    }

    @Override
    public int capacity() {
        return config.capacity();
    }

    @Override
    public int available() {
        return freeCount;
    }

    @Override
    public void close() {
        memory.close();
    }
}
