package io.ferrite.engine;

import java.lang.foreign.MemorySegment;

/**
 * A zero-copy publish: after {@link Engine#tryClaim} succeeds, write the payload into
 * {@link #memory()} at {@link #payloadOffset()}, then {@link #commit()} (or {@link #abort()}).
 * Finish promptly and on the same thread: a claim holds the sequencer's lock, so every other
 * publisher waits for it. Reuse one instance per publishing thread: nothing is allocated per claim.
 *
 * <p>Thread-safety: single-threaded.
 */
public final class Claim {
    private Engine engine;
    private long index = -1;
    private MemorySegment memory;
    private long payloadOffset;
    private int payloadLength;

    void open(Engine owner, long claimedIndex, MemorySegment payloadMemory, long offset, int length) {
        this.engine = owner;
        this.index = claimedIndex;
        this.memory = payloadMemory;
        this.payloadOffset = offset;
        this.payloadLength = length;
    }

    public MemorySegment memory() {
        return memory;
    }

    public long payloadOffset() {
        return payloadOffset;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /** The journal index the event gets. */
    public long index() {
        return index;
    }

    /** True between a successful claim and its commit or abort. */
    public boolean isOpen() {
        return engine != null;
    }

    /**
     * Publishes the event.
     *
     * @return its journal index (in SYNC mode, once it is on disk), or JOURNAL_UNAVAILABLE
     */
    public long commit() {
        return requireOpen().commitClaim();
    }

    /** Drops the event: no stage will see it. */
    public void abort() {
        requireOpen().abortClaim();
    }

    private Engine requireOpen() {
        Engine owner = engine;
        if (owner == null) {
            throw new IllegalStateException("claim is not open (already committed or aborted?)");
        }
        engine = null;
        return owner;
    }
}
