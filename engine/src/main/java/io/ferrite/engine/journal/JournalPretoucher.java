package io.ferrite.engine.journal;

import io.ferrite.concurrent.Progress;
import io.ferrite.libc.LibC;
import io.ferrite.libc.MemoryAdvice;
import io.ferrite.libc.NativeCallException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Brings the pages of the journal file just ahead of its writer into the page cache, on a thread
 * of its own, so that the writer's first store to a page is a minor fault.
 *
 * <p>Why: a new region of a journal file is a hole. The first store to a page of it faults the
 * page in, and the kernel reads ahead — a whole large folio of holes, zeroed in that one fault;
 * on a virtual machine whose memory is backed on first touch, measured at 20–60 ms every ~8 MB
 * (at 100 k events/s, one stall every 0.7 s, which alone made p99 ≈ 15 ms). Bringing each page
 * in ahead of the writer moves that work here (one {@code madvise(MADV_POPULATE_READ)} a megabyte,
 * or reading a byte of each page where the kernel lacks it); the writer then finds the page cached. The
 * mapping is advised {@code MADV_RANDOM}: each of its faults brings in one page, so the thread
 * can be preempted between pages rather than hold a core for a whole read-ahead.
 *
 * <p>Reads only, through a read-only mapping of its own (never Chronicle's, which the writer
 * unmaps as it moves on), up to the file's current size: Chronicle grows the file a chunk at a
 * time, ahead of what it writes. A file shrunk under the mapping (Chronicle shrinks a finished
 * cycle's file) makes a read fault with {@link InternalError}; the mapping is then dropped and
 * made again.
 *
 * <p>Thread-safety: {@link #writerAt} and {@link #writerMovedTo} from the journal's single writer
 * (release stores); everything else on the pretoucher's thread; {@link #close()} from any thread,
 * once the writer has stopped.
 */
final class JournalPretoucher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JournalPretoucher.class);
    static final long PAGE_BYTES = 4096;
    /** How far ahead of the writer pages are brought in: about 0.3 s of writing at 2 M events/s. */
    static final long DEFAULT_AHEAD_BYTES = 64L << 20;
    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** Pages populated per madvise call: short enough that progress is published often. */
    private static final long POPULATE_CHUNK_BYTES = 1L << 20;
    private static final int EINVAL = 22;

    private final long aheadBytes;
    private final Progress writerPosition = new Progress(-1);
    private final Progress touchedUpTo = new Progress();
    private final Progress faults = new Progress();
    private volatile File writerFile;
    /** The file {@link #touchedUpTo} is about; written after it was reset for that file. */
    private volatile File touchedFile;
    private volatile boolean closed;
    private final Thread thread;

    // owned by the pretoucher's thread
    private File mappedFile;
    private Arena arena;
    private MemorySegment mapped = MemorySegment.NULL;
    private long sink;
    /** Pages are brought in by madvise(MADV_POPULATE_READ); false without libc, or once the kernel refused it. */
    private boolean populate;

    /** Also run every {@link FreeSpaceGuard#CHECK_INTERVAL_MILLIS} ms on this thread. */
    private final Runnable periodic;
    private long nextPeriodicNanos;

    JournalPretoucher(String name, long aheadBytes) {
        this(name, aheadBytes, () -> { });
    }

    JournalPretoucher(String name, long aheadBytes, Runnable periodic) {
        this(name, aheadBytes, periodic, true);
    }

    /**
     * @param aheadBytes how far ahead of the writer to bring pages in; 0: none, only {@code periodic}
     * @param periodic   run on this thread every {@value FreeSpaceGuard#CHECK_INTERVAL_MILLIS} ms (the free-space check)
     * @param populate   bring pages in with madvise where the kernel can; false: read a byte of each (tests)
     */
    JournalPretoucher(String name, long aheadBytes, Runnable periodic, boolean populate) {
        if (aheadBytes != 0 && aheadBytes < PAGE_BYTES) {
            throw new IllegalArgumentException("aheadBytes must be 0 (no pretouching) or at least a page, was " + aheadBytes);
        }
        this.aheadBytes = aheadBytes;
        this.periodic = periodic;
        this.populate = populate && LibC.availability().isAvailable();
        this.thread = Thread.ofPlatform().daemon().name(name).start(this::run);
    }

    /** Writer: it writes next at {@code fileOffset} of the file it last {@linkplain #writerMovedTo moved to}. */
    void writerAt(long fileOffset) {
        writerPosition.setRelease(fileOffset);
    }

    /** Writer: it now writes {@code file} (the first file, or the next cycle's). */
    void writerMovedTo(File file) {
        writerFile = file;
        writerPosition.setRelease(-1);
    }

    /** The file offset up to which pages of the writer's file have been brought in (tests). */
    long touchedUpTo() {
        return touchedUpTo.getAcquire();
    }

    /** The file offset up to which pages of {@code file} have been brought in; 0 while the pretoucher is on another file. */
    long touchedUpTo(File file) {
        return file.equals(touchedFile) ? touchedUpTo.getAcquire() : 0;
    }

    /** Whether pages are brought in by madvise rather than a read of each (tests). */
    boolean populating() {
        return populate;
    }

    /** Reads that failed (a file shrunk or deleted under the mapping), each followed by a new mapping. */
    long faults() {
        return faults.getAcquire();
    }

    private void run() {
        try {
            while (!closed) {
                long now = System.nanoTime();
                if (now - nextPeriodicNanos >= 0) {
                    nextPeriodicNanos = now + TimeUnit.MILLISECONDS.toNanos(FreeSpaceGuard.CHECK_INTERVAL_MILLIS);
                    periodic.run();
                }
                File file = writerFile;
                long position = writerPosition.getAcquire();
                if (file != null && position >= 0 && aheadBytes > 0) {
                    touchAhead(file, position);
                }
                LockSupport.parkNanos(this, PERIOD_NANOS);
            }
        } finally {
            unmap();
        }
    }

    private void touchAhead(File file, long position) {
        try {
            if (!file.equals(mappedFile)) {
                unmap();
                touchedUpTo.setRelease(0);
                mappedFile = file;
                touchedFile = file;
            }
            long target = position + aheadBytes;
            if (target > mapped.byteSize()) {
                remap(file);
            }
            long end = Math.min(target, mapped.byteSize());
            long from = Math.max(touchedUpTo.getPlain(), position) & -PAGE_BYTES; // madvise wants a page start
            if (populate) {
                populate(from, end);
            } else {
                long sum = 0;
                for (long page = from; page < end && !closed; page += PAGE_BYTES) {
                    sum += mapped.get(ValueLayout.JAVA_BYTE, page);
                    if ((page & ((1 << 20) - 1)) == 0) {
                        touchedUpTo.setRelease(page);
                    }
                }
                sink += sum; // keeps the reads
            }
            touchedUpTo.setRelease(Math.max(from, end));
        } catch (IOException | RuntimeException | InternalError e) {
            // the file was shrunk or deleted under the mapping (a finished cycle): map again next time
            LOG.debug("pretouching {} failed; mapping it again", file, e);
            faults.incrementRelease();
            unmap();
            mappedFile = null;
        }
    }

    /**
     * Brings in {@code [from, end)} a megabyte per call: one system call instead of a page-fault
     * exception per page, which on a virtual machine is most of a fault's cost (measured: the
     * pretoucher's share of the CPU 22 % touching pages one by one). A kernel without
     * MADV_POPULATE_READ (before 5.14) answers EINVAL: then pages are touched one by one from then on.
     */
    private void populate(long from, long end) {
        for (long chunk = from; chunk < end && !closed; chunk += POPULATE_CHUNK_BYTES) {
            try {
                LibC.madvise(mapped.asSlice(chunk, Math.min(POPULATE_CHUNK_BYTES, end - chunk)), MemoryAdvice.POPULATE_READ);
            } catch (NativeCallException e) {
                if (e.errno() != EINVAL) {
                    throw e; // EFAULT: the file shrank under the mapping; map again
                }
                LOG.info("this kernel cannot populate a mapping ({}): the journal's pages are touched one by one",
                    e.getMessage());
                populate = false;
                return;
            }
            touchedUpTo.setRelease(Math.min(chunk + POPULATE_CHUNK_BYTES, end));
        }
    }

    /** Maps the whole of {@code file} as it is now, if it grew. */
    private void remap(File file) throws IOException {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > mapped.byteSize()) {
                unmap();
                arena = Arena.ofConfined();
                mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                if (LibC.availability().isAvailable()) {
                    // one page per fault: each fault is short, so this thread can be preempted
                    // between pages instead of holding a core for a whole read-ahead of holes
                    LibC.madvise(mapped, MemoryAdvice.RANDOM);
                }
            }
        }
    }

    private void unmap() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
        mapped = MemorySegment.NULL;
    }

    /** Stops the thread and drops its mapping; waits up to a second. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "JournalPretoucher[" + writerFile + " touched up to " + touchedUpTo.getAcquire() + ", " + sink + "]";
    }
}
