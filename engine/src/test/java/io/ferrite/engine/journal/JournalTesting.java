package io.ferrite.engine.journal;

import java.lang.foreign.MemorySegment;

/**
 * Test helper for journal-level tests: appends records the way the sequencer does (one batch of
 * one record each), and reads everything a reader can reach.
 *
 * <p>Thread-safety: stateless (a journal has one writer at a time).
 */
public final class JournalTesting {
    private JournalTesting() {
    }

    /**
     * Appends one record as a batch of one.
     *
     * @return its index, or the negative code the journal answered
     */
    public static long append(Journal journal, long publishNanos, long correlationId, long eventId, long key,
                              long timestampNanos, int type, int priority, MemorySegment payload, long payloadOffset,
                              int payloadLength) {
        if (payloadLength > journal.maxPayloadLength()) {
            return io.ferrite.engine.PublishResult.REJECTED;
        }
        int recordLength = JournalRecord.HEADER_LENGTH + payloadLength;
        JournalClaim claim = new JournalClaim();
        long claimed = journal.claim(1, JournalBatch.recordBytes(recordLength), System.currentTimeMillis() * 1_000_000L,
            claim);
        if (claimed != 0) {
            return claimed;
        }
        long at = claim.recordsOffset();
        JournalBatch.recordLength(claim.memory(), at, recordLength);
        JournalRecord.writeHeader(claim.memory(), at + JournalBatch.RECORD_LENGTH_PREFIX, publishNanos, correlationId,
            eventId, key, timestampNanos, type, priority);
        MemorySegment.copy(payload, payloadOffset, claim.memory(),
            at + JournalBatch.RECORD_LENGTH_PREFIX + JournalRecord.HEADER_LENGTH, payloadLength);
        long index = claim.firstIndex();
        long committed = claim.commit();
        return committed == 0 ? index : committed;
    }

    /** Hands every committed record from the reader's position on to {@code consumer}; returns how many. */
    public static long readAll(JournalReader reader, RecordConsumer consumer) {
        long read = 0;
        int batch;
        while ((batch = reader.read(consumer, JournalReader.NO_LIMIT, 1024)) > 0) {
            read += batch;
        }
        return read;
    }
}
