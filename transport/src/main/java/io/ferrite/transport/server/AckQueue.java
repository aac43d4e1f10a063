package io.ferrite.transport.server;

/**
 * The cumulative ACKs of one connection's read batches that wait for durability (SYNC mode): a
 * ring of (correlationId, ACK index, largest journal index in the batch). In ASYNC and MEMORY mode
 * every batch is released as soon as it is added.
 *
 * <p>Thread-safety: confined to the connection's event loop.
 */
final class AckQueue {
    private final long[] correlationIds;
    private final long[] ackIndices;
    private final long[] maxIndices;
    private int head;
    private int size;
    private long releasedCorrelationId;
    private long releasedIndex;

    AckQueue(int capacity) {
        correlationIds = new long[capacity];
        ackIndices = new long[capacity];
        maxIndices = new long[capacity];
    }

    /**
     * Adds a batch. When the ring is full the batch is merged into the newest entry instead: ACKs
     * are cumulative, so the merged entry answers both once the later batch is durable. Waiting
     * batches never stop the connection (a SYNC client sending one event per read would otherwise
     * fill the ring within one group commit).
     */
    void add(long correlationId, long ackIndex, long maxIndex) {
        if (size == correlationIds.length) {
            int newest = (head + size - 1) % correlationIds.length;
            correlationIds[newest] = correlationId;
            ackIndices[newest] = ackIndex;
            maxIndices[newest] = Math.max(maxIndices[newest], maxIndex);
            return;
        }
        int tail = (head + size) % correlationIds.length;
        correlationIds[tail] = correlationId;
        ackIndices[tail] = ackIndex;
        maxIndices[tail] = maxIndex;
        size++;
    }

    /**
     * Removes every batch, oldest first, whose events all lie below {@code durableGate}.
     *
     * @return true when at least one was removed: then {@link #releasedCorrelationId()} is the ACK to send
     */
    boolean releaseUpTo(long durableGate) {
        boolean released = false;
        while (size > 0 && maxIndices[head] < durableGate) {
            releasedCorrelationId = correlationIds[head];
            releasedIndex = ackIndices[head];
            head = (head + 1) % correlationIds.length;
            size--;
            released = true;
        }
        return released;
    }

    long releasedCorrelationId() {
        return releasedCorrelationId;
    }

    long releasedIndex() {
        return releasedIndex;
    }

    boolean isEmpty() {
        return size == 0;
    }

}
