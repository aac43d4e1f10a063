package io.ferrite.client;

import java.util.concurrent.CompletableFuture;

/**
 * The futures of {@link FerriteClient#publishAsync}, in a ring of slots indexed by correlationId
 * (the same size as the client's in-flight limit, so a slot is free once the event
 * {@code maxInFlight} before it is ACKed).
 *
 * <p>Thread-safety: the publisher {@link #put}s a future before publishing its event (release);
 * the reader completes and clears slots up to an ACK before releasing it (see the package
 * javadoc for the pairing). Completion callbacks run on the reader thread.
 */
final class PendingFutures {
    private final CompletableFuture<Long>[] slots;
    private final int mask;

    PendingFutures(int size) {
        @SuppressWarnings("unchecked")
        CompletableFuture<Long>[] ring = (CompletableFuture<Long>[]) new CompletableFuture<?>[size];
        this.slots = ring;
        this.mask = size - 1;
    }

    /** Publisher: the future of the event that gets {@code correlationId}. */
    void put(long correlationId, CompletableFuture<Long> future) {
        slots[(int) correlationId & mask] = future;
    }

    /** Publisher: the event was not published after all. */
    void clear(long correlationId) {
        slots[(int) correlationId & mask] = null;
    }

    /**
     * Reader: ACK({@code upTo}) covers every event after {@code acked}. The one it names gets
     * {@code journalIndex}, the others {@link FerriteClient#INDEX_NOT_REPORTED}.
     */
    void acked(long acked, long upTo, long journalIndex) {
        for (long id = acked + 1; id <= upTo; id++) {
            CompletableFuture<Long> future = take(id);
            if (future != null) {
                future.complete(id == upTo ? journalIndex : FerriteClient.INDEX_NOT_REPORTED);
            }
        }
    }

    /** Reader: the event was REJECTed; the ACK that covers it later finds its slot empty. */
    void rejected(long correlationId, FerriteClientException reason) {
        CompletableFuture<Long> future = take(correlationId);
        if (future != null) {
            future.completeExceptionally(reason);
        }
    }

    /** Reader, at the end: every event from {@code first} to {@code last} will never be ACKed. */
    void failAll(long first, long last, String reason) {
        for (long id = first; id <= last; id++) {
            CompletableFuture<Long> future = take(id);
            if (future != null) {
                future.completeExceptionally(new FerriteClientException(null, id, reason));
            }
        }
    }

    private CompletableFuture<Long> take(long correlationId) {
        int slot = (int) correlationId & mask;
        CompletableFuture<Long> future = slots[slot];
        slots[slot] = null;
        return future;
    }
}
