package io.ferrite.engine.journal;

import java.lang.foreign.MemorySegment;

/**
 * Receives journal records from a {@link JournalReader}, one call each, in index order. The
 * record's bytes (laid out as {@link JournalRecord}) are valid only during the call.
 *
 * <p>Thread-safety: called on the reader's thread.
 */
@FunctionalInterface
public interface RecordConsumer {
    /**
     * @param endOfBatch true for the last record of its journal batch, or the last one this read
     *                   call hands over (its record limit or the reader's limit reached)
     */
    void onRecord(MemorySegment memory, long offset, int length, long index, boolean endOfBatch);
}
