package io.ferrite.engine.journal;

import io.ferrite.engine.PublishResult;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * MEMORY durability: records live only in an off-heap {@link MemoryLog} ring; a record's index is
 * its position in the ring (it only grows). A full ring answers
 * {@link PublishResult#BACK_PRESSURED}: the slowest reader bounds the memory used.
 *
 * <p>Thread-safety: append/claim from any thread; each reader single-threaded.
 */
public final class MemoryJournal implements Journal {
    private final MemoryLog log;
    private final int maxPayloadLength;
    /** Readers that must have passed a record before the ring may reuse its space. */
    private final List<JournalReader> releaseGates = new CopyOnWriteArrayList<>();

    /**
     * @param capacity ring bytes, a power of two; records of up to {@code capacity / 8} bytes fit
     */
    public MemoryJournal(int capacity) {
        this.log = new MemoryLog(capacity);
        this.maxPayloadLength = log.maxRecordLength() - JournalRecord.HEADER_LENGTH;
    }

    @Override
    public long append(long publishNanos, long correlationId, long eventId, long key, long timestampNanos,
                       int type, int priority, MemorySegment payload, long payloadOffset, int payloadLength) {
        if (payloadLength > maxPayloadLength || payloadLength < 0) {
            return PublishResult.REJECTED;
        }
        long position = log.tryClaim(JournalRecord.HEADER_LENGTH + payloadLength);
        if (position < 0) {
            return PublishResult.BACK_PRESSURED;
        }
        MemorySegment memory = log.memory();
        long offset = log.payloadOffset(position);
        try {
            JournalRecord.writeHeader(memory, offset, publishNanos, correlationId, eventId, key, timestampNanos, type, priority);
            MemorySegment.copy(payload, payloadOffset, memory, offset + JournalRecord.HEADER_LENGTH, payloadLength);
        } catch (RuntimeException | Error e) {
            log.abort(position); // never leave a claim that stalls every reader
            throw e;
        }
        log.commit(position);
        return position;
    }

    @Override
    public long tryClaim(long publishNanos, long correlationId, long eventId, long key, long timestampNanos,
                         int type, int priority, int payloadLength, JournalClaim claim) {
        if (payloadLength > maxPayloadLength || payloadLength < 0) {
            return PublishResult.REJECTED;
        }
        long position = log.tryClaim(JournalRecord.HEADER_LENGTH + payloadLength);
        if (position < 0) {
            return PublishResult.BACK_PRESSURED;
        }
        long offset = log.payloadOffset(position);
        JournalRecord.writeHeader(log.memory(), offset, publishNanos, correlationId, eventId, key, timestampNanos, type, priority);
        claim.open(this, null, log.memory(), offset + JournalRecord.HEADER_LENGTH, payloadLength, position);
        return position;
    }

    @Override
    public void finishClaim(JournalClaim claim, boolean commit) {
        if (commit) {
            log.commit(claim.index());
        } else {
            log.abort(claim.index());
        }
    }

    @Override
    public JournalReader newReader(boolean releasesMemory) {
        return new MemoryJournalReader(log, releasesMemory ? releaseGates : null);
    }

    /** Makes {@code reader} hold back reuse of the ring until it has read past a record. */
    public void addReleaseGate(JournalReader reader) {
        releaseGates.add(reader);
    }

    @Override
    public int maxPayloadLength() {
        return maxPayloadLength;
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
