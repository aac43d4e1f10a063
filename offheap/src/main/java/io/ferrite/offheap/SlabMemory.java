package io.ferrite.offheap;

import io.ferrite.libc.AnonymousMapping;
import io.ferrite.libc.LibC;

import java.lang.foreign.MemorySegment;

/**
 * The backing memory of a slab pool: an anonymous mapping, optionally huge-page advised and
 * mlocked, trimmed to exactly the slots' bytes.
 *
 * <p>Thread-safety: immutable after construction; {@link #close()} once, by the pool's owner.
 */
final class SlabMemory implements AutoCloseable {
    private final AnonymousMapping mapping;
    private final MemorySegment slots;
    private final boolean locked;

    SlabMemory(SlabConfig config) {
        this.mapping = LibC.mmapAnonymous(config.byteSize(), config.hugePages());
        this.slots = mapping.segment().asSlice(0, config.byteSize());
        if (config.lockMemory()) {
            try {
                LibC.mlock(mapping.segment());
            } catch (RuntimeException e) {
                mapping.close();
                throw e;
            }
        }
        this.locked = config.lockMemory();
    }

    MemorySegment slots() {
        return slots;
    }

    @Override
    public void close() {
        if (locked) {
            LibC.munlock(mapping.segment());
        }
        mapping.close();
    }
}
