package io.ferrite.offheap;

import java.lang.foreign.MemorySegment;

/**
 * A pool of fixed-size slots carved from one off-heap segment. A slot is named by its index;
 * its bytes are {@code memory()} from {@code offset(slot)} for {@code slotSize()} bytes.
 * {@link #allocate()} and {@link #free(int)} are O(1) and never allocate on the heap.
 *
 * <p>Thread-safety: depends on the implementation, and its name says which
 * ({@link SingleOwnerSlabPool}: one thread; {@link ConcurrentSlabPool}: any threads).
 */
public sealed interface SlabPool extends AutoCloseable permits SingleOwnerSlabPool, ConcurrentSlabPool {

    /** Returned by {@link #allocate()} when every slot is in use. */
    int EXHAUSTED = -1;

    /** Takes a free slot, or returns {@link #EXHAUSTED}. Never throws for exhaustion. */
    int allocate();

    /**
     * Returns {@code slot} to the pool. Freeing a slot that is not allocated (a double free) or
     * that this pool never had (a foreign slot) is a bug: {@link IllegalStateException} in checked
     * mode, an {@link AssertionError} under {@code -ea} otherwise.
     */
    void free(int slot);

    /** The segment every slot lives in. */
    MemorySegment memory();

    /** Byte offset of {@code slot} within {@link #memory()}. */
    default long offset(int slot) {
        return (long) slot * slotSize();
    }

    /** Bytes per slot. */
    int slotSize();

    /** Number of slots. */
    int capacity();

    /** Slots currently free; exact when quiescent, a snapshot under concurrency. */
    int available();

    /** Releases the backing memory. Using any slot afterwards is a use-after-free. */
    @Override
    void close();
}
