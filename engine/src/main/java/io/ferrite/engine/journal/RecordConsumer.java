package io.ferrite.engine.journal;

import java.lang.foreign.MemorySegment;

/**
 * Receives one journal record from a {@link JournalReader}. The record's bytes (laid out as
 * {@link JournalRecord}) are valid only during the call.
 *
 * <p>Thread-safety: called on the reader's thread.
 */
@FunctionalInterface
public interface RecordConsumer {
    void onRecord(MemorySegment memory, long offset, int length, long index);
}
