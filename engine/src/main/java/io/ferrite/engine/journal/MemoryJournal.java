package io.ferrite.engine.journal;

import io.ferrite.engine.PublishResult;

/**
 * MEMORY durability: batches live only in an off-heap {@link MemoryLog} ring, a frame each. A full
 * ring answers {@link PublishResult#BACK_PRESSURED}: the last stage bounds the memory used. Indexes
 * start at 0 with the process.
 *
 * <p>Thread-safety: {@link #claim} and its commit or abort from one thread at a time (the
 * sequencer's lock); each reader single-threaded.
 */
public final class MemoryJournal implements Journal {
    private final MemoryLog log;
    private final int maxBatchBytes;
    private final int maxPayloadLength;
    /** Writer-owned. */
    private long nextIndex;

    /**
     * @param capacity ring bytes, a power of two; a batch takes at most {@code capacity / 8} bytes
     */
    public MemoryJournal(int capacity) {
        this.log = new MemoryLog(capacity);
        this.maxBatchBytes = log.maxRecordLength() - JournalBatch.HEADER_LENGTH;
        this.maxPayloadLength = maxBatchBytes - JournalBatch.recordBytes(JournalRecord.HEADER_LENGTH);
    }

    @Override
    public long nextIndex() {
        return nextIndex;
    }

    @Override
    public int maxBatchBytes() {
        return maxBatchBytes;
    }

    @Override
    public int maxPayloadLength() {
        return maxPayloadLength;
    }

    @Override
    public long claim(int count, int recordBytes, long journaledAtEpochNanos, JournalClaim claim) {
        long position = log.tryClaim(JournalBatch.HEADER_LENGTH + recordBytes);
        if (position == MemoryLog.BACK_PRESSURED) {
            return PublishResult.BACK_PRESSURED;
        }
        if (position < 0) {
            return PublishResult.REJECTED;
        }
        long batch = log.payloadOffset(position);
        JournalBatch.writeHeader(log.memory(), batch, nextIndex, journaledAtEpochNanos, count);
        claim.open(this, null, position, log.memory(), batch + JournalBatch.HEADER_LENGTH, recordBytes, nextIndex, count);
        return 0;
    }

    @Override
    public long finishClaim(JournalClaim claim, boolean commit) {
        long position = claim.handle();
        if (commit) {
            log.commit(position);
            nextIndex += claim.count();
        } else {
            log.abort(position);
        }
        return 0;
    }

    @Override
    public JournalReader newReader(boolean releasesMemory) {
        return new MemoryJournalReader(log, nextIndex, releasesMemory);
    }

    /** Bytes claimed so far (the ring's tail position). */
    public long tailPosition() {
        return log.tailPosition();
    }

    public int capacity() {
        return log.capacity();
    }

    @Override
    public void close() {
        log.close();
    }
}
