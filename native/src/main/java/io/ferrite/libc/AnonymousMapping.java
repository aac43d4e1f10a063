package io.ferrite.libc;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A private anonymous memory mapping made by {@link LibC#mmapAnonymous(long, boolean)}; closing it
 * unmaps the memory. Using {@link #segment()} after {@link #close()} is a use-after-free: the
 * segment is a raw native view, owned by whoever owns this mapping.
 *
 * <p>Thread-safety: not thread-safe; one owner closes it once.
 */
public final class AnonymousMapping implements AutoCloseable {
    /** The x86-64 default huge page size that MAP_HUGETLB lengths are rounded to. */
    public static final long HUGE_PAGE_SIZE = 2L * 1024 * 1024;

    private final MemorySegment segment;
    private final boolean hugeTlb;
    private final String hugeTlbFailure;
    private boolean closed;

    AnonymousMapping(MemorySegment segment, boolean hugeTlb, String hugeTlbFailure) {
        this.segment = segment;
        this.hugeTlb = hugeTlb;
        this.hugeTlbFailure = hugeTlbFailure;
    }

    /** The mapped memory, page-aligned, zero-filled when new. */
    public MemorySegment segment() {
        return segment;
    }

    /** True when backed by explicit huge pages (MAP_HUGETLB). */
    public boolean hugeTlb() {
        return hugeTlb;
    }

    /** Why MAP_HUGETLB was not used although asked for; empty when it was used or not asked. */
    public Optional<String> hugeTlbFailure() {
        return Optional.ofNullable(hugeTlbFailure);
    }

    /** Unmaps the memory; a second close does nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.munmap(segment.address(), segment.byteSize());
        }
    }
}
