package io.ferrite.engine.journal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The unit of the journal: one Chronicle document (or one MEMORY ring frame) holding a batch of
 * records that were appended together — the events of one network read, or one embedded publish.
 * Each record keeps its own journal index ({@code firstIndex + i}), so ACKs, replay, checkpoints and
 * stages still address single events, while the journal pays its per-document cost once a batch.
 *
 * <pre>
 *  0               8               16       20       24
 *  +---------------+---------------+--------+--------+----------------------------------------
 *  | firstIndex    | journaledAt   | count  | format | length | record 0 | length | record 1 ...
 *  | u64           | u64 (epoch ns)| u32    | u32    | u32    | {@link JournalRecord} ...
 *  +---------------+---------------+--------+--------+----------------------------------------
 * </pre>
 * Journal indexes are dense: event 0 is the first ever journaled, and each batch starts where the
 * one before it ended. {@code journaledAt} is the server's wall clock when the batch was appended
 * (the dedup window's age survives a restart through it). {@code format} identifies this layout.
 *
 * <p>Thread-safety: stateless.
 */
public final class JournalBatch {
    public static final int FIRST_INDEX_OFFSET = 0;
    public static final int JOURNALED_AT_OFFSET = 8;
    public static final int COUNT_OFFSET = 16;
    public static final int FORMAT_OFFSET = 20;
    /** Bytes before the first record. */
    public static final int HEADER_LENGTH = 24;
    /** Bytes of the length in front of each record. */
    public static final int RECORD_LENGTH_PREFIX = 4;
    /** "FJB1" read as a little-endian u32: Ferrite journal batch, layout 1. */
    public static final int FORMAT = 0x31424A46;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private JournalBatch() {
    }

    /** Bytes a record of {@code recordLength} takes in a batch, its length prefix included. */
    public static int recordBytes(int recordLength) {
        return RECORD_LENGTH_PREFIX + recordLength;
    }

    public static void writeHeader(MemorySegment memory, long batch, long firstIndex, long journaledAtEpochNanos,
                                   int count) {
        memory.set(U64, batch + FIRST_INDEX_OFFSET, firstIndex);
        memory.set(U64, batch + JOURNALED_AT_OFFSET, journaledAtEpochNanos);
        memory.set(U32, batch + COUNT_OFFSET, count);
        memory.set(U32, batch + FORMAT_OFFSET, FORMAT);
    }

    public static long firstIndex(MemorySegment memory, long batch) {
        return memory.get(U64, batch + FIRST_INDEX_OFFSET);
    }

    public static long journaledAt(MemorySegment memory, long batch) {
        return memory.get(U64, batch + JOURNALED_AT_OFFSET);
    }

    public static int count(MemorySegment memory, long batch) {
        return memory.get(U32, batch + COUNT_OFFSET);
    }

    public static int format(MemorySegment memory, long batch) {
        return memory.get(U32, batch + FORMAT_OFFSET);
    }

    /** The length of the record whose prefix is at {@code at}. */
    public static int recordLength(MemorySegment memory, long at) {
        return memory.get(U32, at);
    }

    /** Writes a record's length prefix at {@code at}; the record follows it. */
    public static void recordLength(MemorySegment memory, long at, int length) {
        memory.set(U32, at, length);
    }

    /**
     * Checks a batch read from a journal: its format, and that its records fit its {@code length}.
     *
     * @throws IllegalStateException naming what is wrong, for a journal of another layout or a damaged batch
     */
    public static void check(MemorySegment memory, long batch, long length, Object where) {
        if (length < HEADER_LENGTH || format(memory, batch) != FORMAT) {
            throw new IllegalStateException(where + " holds a document that is not a Ferrite journal batch (format "
                + (length < HEADER_LENGTH ? "unknown, " + length + " bytes" : Integer.toHexString(format(memory, batch)))
                + "): it was written by an older Ferrite or another program; point the journal at a new directory,"
                + " or read it with the version that wrote it");
        }
        int count = count(memory, batch);
        long at = batch + HEADER_LENGTH;
        long end = batch + length;
        for (int i = 0; i < count; i++) {
            if (at + RECORD_LENGTH_PREFIX > end || at + RECORD_LENGTH_PREFIX + recordLength(memory, at) > end) {
                throw new IllegalStateException(where + ": batch at index " + firstIndex(memory, batch)
                    + " is damaged: record " + i + " of " + count + " runs past the batch's " + length + " bytes");
            }
            at += RECORD_LENGTH_PREFIX + recordLength(memory, at);
        }
    }
}
