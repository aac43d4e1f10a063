package io.ferrite.offheap;

import java.lang.foreign.MemorySegment;

/**
 * The backing memory of a slab pool: an anonymous mapping, optionally huge-page advised and
 * mlocked, trimmed to exactly the slots' bytes.
 *
 * <p>Thread-safety: immutable after construction; {@link #close()} once, by the pool's owner.
 */
final class SlabMemory implements AutoCloseable {
    private final Region region;

    SlabMemory(SlabConfig config) {
        this.region = Region.allocate(config.byteSize(), config.hugePages(), config.lockMemory());
    }

    MemorySegment slots() {
        return region.memory();
    }

    @Override
    public void close() {
        region.close();
    }
}
