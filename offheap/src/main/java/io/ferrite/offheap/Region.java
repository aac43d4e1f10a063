package io.ferrite.offheap;

import io.ferrite.libc.AnonymousMapping;
import io.ferrite.libc.LibC;

import java.lang.foreign.MemorySegment;

/**
 * A zero-filled, page-aligned block of off-heap memory from one anonymous mapping: pages are
 * committed when first touched, optionally backed by (or advised to use) 2 MiB huge pages, which
 * spare a large table most of its TLB misses, and optionally mlocked so they are never paged out.
 *
 * <p>Thread-safety: the memory follows its owner's rules; {@link #close()} once, by the owner,
 * when no thread uses the memory any more.
 */
public final class Region implements AutoCloseable {
    private final AnonymousMapping mapping;
    private final MemorySegment memory;
    private final boolean locked;

    private Region(long bytes, boolean hugePages, boolean lockMemory) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("a region needs at least one byte, was " + bytes);
        }
        this.mapping = LibC.mmapAnonymous(bytes, hugePages);
        this.memory = mapping.segment().asSlice(0, bytes);
        if (lockMemory) {
            try {
                LibC.mlock(mapping.segment());
            } catch (RuntimeException e) {
                mapping.close();
                throw e;
            }
        }
        this.locked = lockMemory;
    }

    /** {@code bytes} of zeroed memory, huge pages when {@code hugePages} (falling back to advice, then to none). */
    public static Region allocate(long bytes, boolean hugePages) {
        return new Region(bytes, hugePages, false);
    }

    /** As {@link #allocate}, and mlocked when {@code lockMemory}. */
    public static Region allocate(long bytes, boolean hugePages, boolean lockMemory) {
        return new Region(bytes, hugePages, lockMemory);
    }

    /** Exactly the bytes asked for. */
    public MemorySegment memory() {
        return memory;
    }

    @Override
    public void close() {
        if (locked) {
            LibC.munlock(mapping.segment());
        }
        mapping.close();
    }
}
