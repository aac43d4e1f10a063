package io.ferrite.engine.state;

import io.ferrite.engine.journal.JournalReader;
import io.ferrite.engine.journal.JournalRecord;
import io.ferrite.engine.journal.RecordConsumer;
import org.agrona.concurrent.Agent;

import java.lang.foreign.MemorySegment;

/**
 * Keeps the {@link DedupWindow} bounded: follows the journal, remembers every eventId in journal
 * order (a ring of primitive arrays, no allocation), and evicts the oldest entry when the window
 * holds more than {@code maxEntries} or an entry is older than {@code maxAgeNanos} (measured from
 * when the janitor saw it).
 *
 * <p>After a restart it re-reads the journal from just after the last entry it evicted
 * (its checkpoint): that rebuilds its ring and {@link DedupWindow#restore restores} ids a killed
 * process had journaled but not yet recorded in the window. Restored entries count their age from
 * the restart, so they are kept at least as long as the window promises.
 *
 * <p>Thread-safety: single-threaded: {@link #restoreHistory()} on the engine's start thread, then
 * a duty cycle on the journal thread (the thread start orders the two).
 */
public final class DedupJanitor implements Agent, RecordConsumer {
    /** Checkpoint name: the index of the last evicted record. */
    public static final String CHECKPOINT_NAME = "ferrite.dedup-janitor";
    private static final int BATCH = 1024;

    private final DedupWindow window;
    private final JournalReader reader;
    private final CheckpointStore.Slot checkpoint;
    private final long maxEntries;
    private final long maxAgeNanos;
    private final long restoreThroughIndex;
    private final long[] eventIds;
    private final long[] indices;
    private final long[] seenNanos;
    private int head;
    private int size;
    private long now;
    private long lastRead = -1;

    /**
     * @param restoreThroughIndex records up to this index are re-read history: restore them into
     *                            the window; -1 when there is no history
     */
    public DedupJanitor(DedupWindow window, JournalReader reader, CheckpointStore.Slot checkpoint,
                        int maxEntries, long maxAgeNanos, long restoreThroughIndex) {
        this.window = window;
        this.reader = reader;
        this.checkpoint = checkpoint;
        this.maxEntries = maxEntries;
        this.maxAgeNanos = maxAgeNanos;
        this.restoreThroughIndex = restoreThroughIndex;
        this.eventIds = new long[maxEntries + 1];
        this.indices = new long[maxEntries + 1];
        this.seenNanos = new long[maxEntries + 1];
        if (checkpoint != null) {
            reader.moveAfter(checkpoint.get());
        }
    }

    /**
     * Re-reads the journal's history (records up to {@code restoreThroughIndex}) and restores its
     * ids into the window. The engine calls it before it accepts a publish: done later, on the
     * janitor's thread, a publisher could re-send an id the killed process had journaled but not
     * recorded, before its restore, and journal it twice.
     *
     * @return records read
     */
    public long restoreHistory() {
        long read = 0;
        now = System.nanoTime();
        while (lastRead < restoreThroughIndex && reader.readNext(this, JournalReader.NO_LIMIT)) {
            read++;
            if (read % BATCH == 0) {
                now = System.nanoTime();
            }
        }
        return read;
    }

    @Override
    public int doWork() {
        now = System.nanoTime();
        int work = 0;
        while (work < BATCH && reader.readNext(this, JournalReader.NO_LIMIT)) {
            work++;
        }
        return work + evictExpired();
    }

    @Override
    public void onRecord(MemorySegment memory, long offset, int length, long index) {
        lastRead = index;
        long eventId = JournalRecord.eventId(memory, offset);
        if (eventId == 0) {
            return;
        }
        if (index <= restoreThroughIndex) {
            window.restore(eventId, index);
        }
        int tail = (head + size) % eventIds.length;
        eventIds[tail] = eventId;
        indices[tail] = index;
        seenNanos[tail] = now;
        size++;
        if (size > maxEntries) {
            evictOldest();
        }
    }

    private int evictExpired() {
        int evicted = 0;
        while (size > 0 && now - seenNanos[head] > maxAgeNanos) {
            evictOldest();
            evicted++;
        }
        return evicted;
    }

    private void evictOldest() {
        window.evict(eventIds[head], indices[head]);
        if (checkpoint != null) {
            checkpoint.store(indices[head]);
        }
        head = (head + 1) % eventIds.length;
        size--;
    }

    /** Ids currently tracked. */
    public int tracked() {
        return size;
    }

    /** The reader this janitor follows (a release gate in MEMORY mode). */
    public JournalReader reader() {
        return reader;
    }

    @Override
    public String roleName() {
        return "dedup-janitor";
    }
}
