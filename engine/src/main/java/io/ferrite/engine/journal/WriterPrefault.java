package io.ferrite.engine.journal;

import io.ferrite.libc.LibC;
import io.ferrite.libc.MemoryAdvice;
import io.ferrite.libc.NativeCallException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytesStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.lang.foreign.MemorySegment;

/**
 * Maps the pages just ahead of the journal writer into the writer's own mapping, writable, a
 * megabyte per {@code madvise(MADV_POPULATE_WRITE)} call, so that its stores take no page fault.
 *
 * <p>Why: the {@link JournalPretoucher} brings those pages into the page cache, but each still
 * costs the writer a fault of its own the first time it writes to it (map the page, mark it
 * writable and dirty) — about 10 % of a loaded server's CPU on a virtual machine, where a
 * fault's exception is the expensive part. One system call a megabyte does the same work
 * without an exception per page.
 *
 * <p>Only pages the pretoucher has already brought in are populated (populating a hole here
 * would make the writer zero a read-ahead, the stall the pretoucher exists to avoid), and only
 * inside the mapping the writer writes through now. A failed call changes nothing: the writer's
 * stores fault the pages in as before (a full disk is still answered where it always was).
 *
 * <p>Thread-safety: the journal's single writer only.
 */
final class WriterPrefault {
    private static final Logger LOG = LoggerFactory.getLogger(WriterPrefault.class);
    static final long CHUNK_BYTES = 1L << 20;
    private static final long PAGE_BYTES = JournalPretoucher.PAGE_BYTES;
    private static final int EINVAL = 22;

    private boolean enabled = LibC.availability().isAvailable();
    private BytesStore<?, ?> store;
    private long populatedUpTo;
    private long calls;

    /**
     * The writer is about to write at file offset {@code position} of {@code bytes}; populates up
     * to a megabyte ahead when what is populated runs out within a quarter of one.
     *
     * @param pretoucher asked, only when a call is due, how far it has brought {@code file}'s pages in
     */
    void ahead(Bytes<?> bytes, long position, JournalPretoucher pretoucher, File file) {
        if (!enabled) {
            return;
        }
        BytesStore<?, ?> current = bytes.bytesStore();
        if (current != store) {
            store = current;
            populatedUpTo = 0;
        }
        if (position + CHUNK_BYTES / 4 < populatedUpTo || !(current instanceof MappedBytesStore mapped)) {
            return;
        }
        long from = Math.max(position, populatedUpTo) & -PAGE_BYTES;
        long cachedUpTo = pretoucher.touchedUpTo(file);
        long to = Math.min(Math.min(position + CHUNK_BYTES, cachedUpTo), mapped.safeLimit()) & -PAGE_BYTES;
        if (to <= from || !mapped.inside(from, to - from)) {
            return;
        }
        populatedUpTo = to; // once, whether or not the call works: a failure is not retried
        try {
            long address = mapped.addressForWrite(from);
            LibC.madvise(MemorySegment.ofAddress(address).reinterpret(to - from), MemoryAdvice.POPULATE_WRITE);
            calls++;
        } catch (NativeCallException e) {
            if (e.errno() == EINVAL) {
                LOG.info("this kernel cannot populate a mapping for writing ({}): the journal writer faults its pages in",
                    e.getMessage());
                enabled = false;
            }
            // else (EFAULT: no space for a page, ENOMEM: the range left the mapping) the stores fault as before
        }
    }

    /** Whether it populates (false without libc or once the kernel refused the advice) (tests). */
    boolean enabled() {
        return enabled;
    }

    /** madvise calls that succeeded (tests). */
    long calls() {
        return calls;
    }
}
