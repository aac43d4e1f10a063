package io.ferrite.offheap;

import java.lang.foreign.MemorySegment;

/**
 * A bump-pointer arena over a segment it borrows: {@link #allocate(long, long)} hands out aligned
 * byte ranges by moving a cursor forward, {@link #reset()} takes everything back at once, and
 * {@link #mark()}/{@link #rewind(long)} take back everything allocated since a mark. Typical use:
 * per-batch scratch memory in a stage, reset at the end of each batch.
 *
 * <p>Overflow is a value, not an exception: when a request does not fit, {@link #allocate} returns
 * {@link #OVERFLOW} and the arena is left unchanged.
 *
 * <p>Thread-safety: single-threaded; owned by one stage. It does not own its segment: whoever
 * supplied the segment keeps it alive for as long as the arena is used.
 */
public final class BumpArena {
    /** Returned by {@link #allocate} when the request does not fit in what remains. */
    public static final long OVERFLOW = -1L;

    private final MemorySegment memory;
    private final long baseAddress;
    private long position;

    public BumpArena(MemorySegment memory) {
        this.memory = memory;
        this.baseAddress = memory.address();
    }

    /**
     * Reserves {@code size} bytes aligned to {@code alignment} (a power of two) in absolute address
     * terms, and returns their offset within {@link #memory()}, or {@link #OVERFLOW}.
     */
    public long allocate(long size, long alignment) {
        if (size < 0 || alignment <= 0 || (alignment & (alignment - 1)) != 0) {
            throw new IllegalArgumentException(
                "size must be >= 0 and alignment a power of two: size=" + size + ", alignment=" + alignment);
        }
        long alignedAddress = (baseAddress + position + alignment - 1) & -alignment;
        long start = alignedAddress - baseAddress;
        if (start + size > memory.byteSize() || start + size < 0) {
            return OVERFLOW;
        }
        position = start + size;
        return start;
    }

    /** {@link #allocate(long, long)} with 8-byte alignment. */
    public long allocate(long size) {
        return allocate(size, Long.BYTES);
    }

    /** The current position, to {@link #rewind(long)} to later. */
    public long mark() {
        return position;
    }

    /**
     * Frees everything allocated since {@code mark} was taken.
     *
     * @throws IllegalArgumentException if {@code mark} lies beyond the current position (it was
     *                                  taken before a {@link #reset()} or an earlier rewind) or is negative
     */
    public void rewind(long mark) {
        if (mark < 0 || mark > position) {
            throw new IllegalArgumentException("mark " + mark + " is not behind the current position " + position);
        }
        position = mark;
    }

    /** Frees everything. */
    public void reset() {
        position = 0;
    }

    /** The memory allocations are offsets into. */
    public MemorySegment memory() {
        return memory;
    }

    public long used() {
        return position;
    }

    public long remaining() {
        return memory.byteSize() - position;
    }

    public long capacity() {
        return memory.byteSize();
    }
}
