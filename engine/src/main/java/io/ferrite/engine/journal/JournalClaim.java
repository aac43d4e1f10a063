package io.ferrite.engine.journal;

import java.lang.foreign.MemorySegment;

/**
 * Space claimed in a journal for one batch whose header is written: write the batch's records
 * (each a length prefix and a {@link JournalRecord}) from {@link #recordsOffset()} in
 * {@link #memory()}, exactly {@link #recordBytes()} bytes, then {@link #commit()} or
 * {@link #abort()}. A claim must be finished promptly, on the thread that claimed it: in a
 * Chronicle journal it holds the queue's write lock. One instance is reused claim after claim.
 *
 * <p>Thread-safety: single-threaded; owned by the sequencer.
 */
public final class JournalClaim {
    private Journal journal;
    private Object context;
    private long handle;
    private MemorySegment memory;
    private long recordsOffset;
    private int recordBytes;
    private long firstIndex = -1;
    private int count;

    /**
     * @param context what the journal needs to finish the claim (a Chronicle document), or null
     * @param handle  the same as a number (a ring position), so that no object is made per claim
     */
    void open(Journal journal, Object context, long handle, MemorySegment memory, long recordsOffset, int recordBytes,
              long firstIndex, int count) {
        this.journal = journal;
        this.context = context;
        this.handle = handle;
        this.memory = memory;
        this.recordsOffset = recordsOffset;
        this.recordBytes = recordBytes;
        this.firstIndex = firstIndex;
        this.count = count;
    }

    /** Where the records go. */
    public MemorySegment memory() {
        return memory;
    }

    /** The offset of the first record's length prefix in {@link #memory()}. */
    public long recordsOffset() {
        return recordsOffset;
    }

    /** The bytes claimed for the records, length prefixes included. */
    public int recordBytes() {
        return recordBytes;
    }

    /** The journal index of the batch's first record. */
    public long firstIndex() {
        return firstIndex;
    }

    public int count() {
        return count;
    }

    /** True between a successful claim and its commit or abort. */
    public boolean isOpen() {
        return journal != null;
    }

    /**
     * Makes the batch visible to readers.
     *
     * @return 0, or {@code PublishResult.JOURNAL_UNAVAILABLE} when the journal could not be written
     * (then nothing of the batch is visible)
     */
    public long commit() {
        return finish(true);
    }

    /** Drops the batch: readers never see it. */
    public void abort() {
        finish(false);
    }

    Object context() {
        return context;
    }

    long handle() {
        return handle;
    }

    private long finish(boolean commit) {
        Journal owner = journal;
        if (owner == null) {
            throw new IllegalStateException("claim is not open (already committed or aborted?)");
        }
        journal = null;
        try {
            return owner.finishClaim(this, commit);
        } finally {
            context = null;
        }
    }
}
