package io.ferrite.engine.journal;

import java.lang.foreign.MemorySegment;

/**
 * Space claimed in a journal for one record whose header is already written: write the payload at
 * {@link #payloadOffset()} in {@link #memory()}, then {@link #commit()} or {@link #abort()}.
 * A claim must be finished promptly, on the thread that claimed it: in a Chronicle journal it holds
 * the queue's write lock. One instance is reused for claim after claim.
 *
 * <p>Thread-safety: single-threaded; one per publishing thread.
 */
public final class JournalClaim {
    private Journal journal;
    private Object context;
    private MemorySegment memory;
    private long payloadOffset;
    private int payloadLength;
    private long index = -1;

    void open(Journal journal, Object context, MemorySegment memory, long payloadOffset, int payloadLength, long index) {
        this.journal = journal;
        this.context = context;
        this.memory = memory;
        this.payloadOffset = payloadOffset;
        this.payloadLength = payloadLength;
        this.index = index;
    }

    /** Where the payload goes. */
    public MemorySegment memory() {
        return memory;
    }

    public long payloadOffset() {
        return payloadOffset;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /** The journal index the record gets when committed. */
    public long index() {
        return index;
    }

    /** True between a successful claim and its commit or abort. */
    public boolean isOpen() {
        return journal != null;
    }

    /** Makes the record visible to readers. */
    public void commit() {
        finish(true);
    }

    /** Drops the record: readers never see it. */
    public void abort() {
        finish(false);
    }

    Object context() {
        return context;
    }

    private void finish(boolean commit) {
        Journal owner = journal;
        if (owner == null) {
            throw new IllegalStateException("claim is not open (already committed or aborted?)");
        }
        journal = null;
        owner.finishClaim(this, commit);
        context = null;
    }
}
