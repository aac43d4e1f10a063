package io.ferrite.engine.journal;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Keeps the journal writer off a full disk: while the journal's file system has less usable space
 * than the reserve, {@link #refusal()} says so and the writer refuses new batches
 * (JOURNAL_UNAVAILABLE) instead of storing into a mapped page the file system cannot back — a
 * store that faults (SIGBUS) rather than failing politely. It lets writes in again once usable
 * space is back above the reserve and a quarter (so it does not flap at the edge). Between two
 * checks the writer may go below the reserve; the reserve is what makes that safe, and a store
 * that faults all the same is refused by the write path.
 *
 * <p>{@link #check()} asks the file system (statvfs, through {@link FileStore#getUsableSpace()});
 * the journal's background thread calls it every {@value #CHECK_INTERVAL_MILLIS} ms.
 *
 * <p>Thread-safety: {@link #check()} from one thread; {@link #refusal()} from any (volatile read).
 */
final class FreeSpaceGuard {
    static final long CHECK_INTERVAL_MILLIS = 10;
    private static final Set<String> IN_MEMORY_TYPES = Set.of("tmpfs", "ramfs", "shm");

    private final Path directory;
    private final long reserveBytes;
    private final FileStore store;
    private final boolean inMemory;
    private volatile String refusal;

    /** @param reserveBytes 0 turns the guard off */
    FreeSpaceGuard(Path directory, long reserveBytes) {
        this.directory = directory;
        this.reserveBytes = reserveBytes;
        FileStore found;
        try {
            found = Files.getFileStore(directory);
        } catch (IOException e) {
            throw new IllegalStateException("cannot find the file system of " + directory + ": " + e.getMessage(), e);
        }
        this.store = reserveBytes > 0 ? found : null;
        this.inMemory = IN_MEMORY_TYPES.contains(found.type());
    }

    /**
     * Whether the journal's file system keeps its files in memory (tmpfs): there, reading a hole of
     * a shared mapping allocates the page, so pretouching would spend the disk's space ahead of the
     * writer — and there is no read-ahead of holes to save.
     */
    boolean inMemory() {
        return inMemory;
    }

    private long resumeBytes() {
        return reserveBytes + reserveBytes / 4;
    }

    /** Why new batches are refused now, or null when the disk has room. */
    String refusal() {
        return refusal;
    }

    /** Reads the usable space and updates {@link #refusal()}. */
    void check() {
        if (store == null) {
            return;
        }
        long usable;
        try {
            usable = store.getUsableSpace();
        } catch (IOException e) {
            return; // keep the last answer; the write path reports real failures
        }
        if (refusal == null && usable < reserveBytes) {
            refusal = String.format(Locale.ROOT, "the journal's disk is full: %d MiB usable under %s, below the reserve"
                + " of %d MiB; refusing new events until %d MiB are free", usable >> 20, directory, reserveBytes >> 20,
                resumeBytes() >> 20);
        } else if (refusal != null && usable >= resumeBytes()) {
            refusal = null;
        }
    }
}
