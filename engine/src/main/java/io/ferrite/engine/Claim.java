package io.ferrite.engine;

import io.ferrite.engine.journal.JournalClaim;

import java.lang.foreign.MemorySegment;

/**
 * A zero-copy publish: after {@link Engine#tryClaim} succeeds, write the payload into
 * {@link #memory()} at {@link #payloadOffset()}, then {@link #commit()} (or {@link #abort()}).
 * Finish promptly and on the same thread: a journal claim holds the journal's write lock.
 * Reuse one instance per publishing thread: nothing is allocated per claim.
 *
 * <p>Thread-safety: single-threaded.
 */
public final class Claim {
    final JournalClaim journalClaim = new JournalClaim();
    Engine engine;
    long eventId;
    boolean reserved;

    public MemorySegment memory() {
        return journalClaim.memory();
    }

    public long payloadOffset() {
        return journalClaim.payloadOffset();
    }

    public int payloadLength() {
        return journalClaim.payloadLength();
    }

    /** The journal index the event gets. */
    public long index() {
        return journalClaim.index();
    }

    /**
     * Publishes the event.
     *
     * @return its journal index (in SYNC mode, once it is on disk)
     */
    public long commit() {
        Engine owner = requireOpen();
        return owner.commitClaim(this);
    }

    /** Drops the event: no stage will see it. */
    public void abort() {
        Engine owner = requireOpen();
        owner.abortClaim(this);
    }

    private Engine requireOpen() {
        Engine owner = engine;
        if (owner == null || !journalClaim.isOpen()) {
            throw new IllegalStateException("claim is not open (already committed or aborted?)");
        }
        engine = null;
        return owner;
    }
}
