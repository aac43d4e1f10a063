package io.ferrite.engine.journal;

import java.lang.foreign.MemorySegment;

/**
 * A reader's place inside the journal batch it is reading: hands the batch's records from the
 * reader's next index on to a consumer, stops at a record count or an index limit, and remembers
 * where it stopped so that the next read resumes there without walking the batch from its start.
 * Both journals' readers use it; they differ only in how they find the next batch.
 *
 * <p>Thread-safety: single-threaded; owned by one reader.
 */
final class BatchCursor {
    /** The next index to hand over. */
    private long next;
    /** The batch the saved offset belongs to (its first index), -1 when none is saved. */
    private long savedBatch = -1;
    private long savedOffset;
    private boolean batchDone;
    private int handed;

    BatchCursor(long next) {
        this.next = next;
    }

    long next() {
        return next;
    }

    /** Positions at {@code index}: the next record handed over is that one. */
    void moveTo(long index) {
        next = index;
        savedBatch = -1;
    }

    /**
     * Hands records of the batch at {@code batch} in {@code memory}, from {@link #next()}, to
     * {@code consumer}: below {@code limit}, at most {@code max}.
     *
     * @return records handed over; {@link #batchDone()} then says whether the reader may move to the next batch
     * @throws IllegalStateException when the batch starts after the next index (a gap in the journal)
     */
    int read(MemorySegment memory, long batch, RecordConsumer consumer, long limit, int max) {
        long first = JournalBatch.firstIndex(memory, batch);
        int count = JournalBatch.count(memory, batch);
        long end = first + count;
        if (next < first) {
            throw new IllegalStateException("journal gap: the next event is index " + next + " but the next batch"
                + " starts at " + first);
        }
        handed = 0;
        if (next >= end) {
            batchDone = true; // read before (a move to the end of this batch)
            return 0;
        }
        long at = savedBatch == first ? savedOffset : skipTo(memory, batch, first);
        while (true) {
            int length = JournalBatch.recordLength(memory, at);
            long index = next;
            boolean lastInBatch = index + 1 == end;
            boolean stop = lastInBatch || handed + 1 == max || index + 1 >= limit;
            consumer.onRecord(memory, at + JournalBatch.RECORD_LENGTH_PREFIX, length, index, stop);
            handed++;
            next = index + 1;
            at += JournalBatch.RECORD_LENGTH_PREFIX + length;
            if (stop) {
                batchDone = lastInBatch;
                if (!lastInBatch) {
                    savedBatch = first;
                    savedOffset = at;
                } else {
                    savedBatch = -1;
                }
                return handed;
            }
        }
    }

    /** Whether the last {@link #read} finished its batch (else the reader reads that batch again next). */
    boolean batchDone() {
        return batchDone;
    }

    /** The offset of the record {@link #next()} in the batch starting at {@code first}. */
    private long skipTo(MemorySegment memory, long batch, long first) {
        long at = batch + JournalBatch.HEADER_LENGTH;
        for (long index = first; index < next; index++) {
            at += JournalBatch.RECORD_LENGTH_PREFIX + JournalBatch.recordLength(memory, at);
        }
        return at;
    }
}
