package io.ferrite.offheap;

import io.ferrite.concurrent.Progress;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A lock-free slab pool any thread may allocate from and free to: a Treiber stack of slot
 * indices whose head packs a 32-bit ABA tag with the top slot index into one {@code long}.
 * Every successful push or pop bumps the tag, so a stale head never wins a CAS.
 *
 * <p>Thread-safety: thread-safe, lock-free. Ordering: see the package documentation.
 */
public final class ConcurrentSlabPool implements SlabPool {
    private static final int EMPTY = -1;
    private static final int FREE = 0;
    private static final int IN_USE = 1;
    private static final VarHandle INT_ARRAY = MethodHandles.arrayElementVarHandle(int[].class);

    private final SlabConfig config;
    private final SlabMemory memory;
    private final MemorySegment slots;
    /** nextLinks[i] is the slot below i on the free stack, or EMPTY. */
    private final int[] nextLinks;
    /** FREE or IN_USE per slot; null when neither checked nor -ea. */
    private final int[] states;
    /** (tag << 32) | (top slot index, EMPTY when none); changed only with compareAndSet. */
    private final Progress head = new Progress(pack(0, 0));

    public ConcurrentSlabPool(SlabConfig config) {
        this.config = config;
        this.memory = new SlabMemory(config);
        this.slots = memory.slots();
        int capacity = config.capacity();
        this.nextLinks = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            nextLinks[i] = i + 1 < capacity ? i + 1 : EMPTY;
        }
        this.states = SlotGuard.tracksState(config) ? new int[capacity] : null;
    }

    @Override
    public int allocate() {
        while (true) {
            long current = head.getVolatile();
            int top = index(current);
            if (top == EMPTY) {
                return EXHAUSTED;
            }
            int below = (int) INT_ARRAY.getAcquire(nextLinks, top);
            if (head.compareAndSet(current, pack(tag(current) + 1, below))) {
                if (states != null && !INT_ARRAY.compareAndSet(states, top, FREE, IN_USE)) {
                    throw new IllegalStateException("slot " + top + " was on the free list while in use");
                }
                return top;
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void free(int slot) {
        if (slot < 0 || slot >= nextLinks.length) {
            SlotGuard.foreignSlot(config.checked(), slot, nextLinks.length);
            return;
        }
        if (states != null && !INT_ARRAY.compareAndSet(states, slot, IN_USE, FREE)) {
            SlotGuard.doubleFree(config.checked(), slot);
            return;
        }
        while (true) {
            long current = head.getVolatile();
            INT_ARRAY.setRelease(nextLinks, slot, index(current));
            if (head.compareAndSet(current, pack(tag(current) + 1, slot))) {
                return;
            }
            Thread.onSpinWait();
        }
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

    /** Walks the free stack; exact when no thread is allocating or freeing. */
    @Override
    public int available() {
        int count = 0;
        int slot = index(head.getVolatile());
        while (slot != EMPTY && count <= nextLinks.length) {
            count++;
            slot = (int) INT_ARRAY.getAcquire(nextLinks, slot);
        }
        return count;
    }

    @Override
    public void close() {
        memory.close();
    }

    private static long pack(int tag, int index) {
        return ((long) tag << 32) | (index & 0xFFFF_FFFFL);
    }

    private static int tag(long head) {
        return (int) (head >>> 32);
    }

    private static int index(long head) {
        return (int) head;
    }
}
