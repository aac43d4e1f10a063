package io.ferrite.engine.journal;

import io.ferrite.concurrent.Progress;
import io.ferrite.offheap.AddressSpace;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * A Chronicle tailer as a {@link JournalReader}: batches are read in place from the mapped file
 * (no copy, no object per record), record by record through a {@link BatchCursor}. A batch read
 * only in part is rolled back, so the tailer offers it again and the cursor resumes inside it.
 *
 * <p>Thread-safety: single-threaded (the owning stage); {@link #gate()} from any thread.
 */
public final class ChronicleJournalReader implements JournalReader {
    private final ExcerptTailer tailer;
    private final ChronicleJournal journal;
    private final BatchCursor cursor;
    private final Progress gate = new Progress();

    /** A reader at the start of what the journal holds. */
    ChronicleJournalReader(ExcerptTailer tailer, ChronicleJournal journal) {
        this.tailer = tailer;
        this.journal = journal;
        long start = journal.startOfJournal();
        this.cursor = new BatchCursor(start);
        gate.setRelease(start);
        // Built on the engine's start thread, then owned by one stage thread (handed over by the
        // thread start, a happens-before edge); Chronicle's first-thread-wins check would refuse that.
        tailer.singleThreadedCheckDisabled(true);
    }

    @Override
    public int read(RecordConsumer consumer, long limit, int max) {
        int read = 0;
        while (read < max && cursor.next() < limit) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    break;
                }
                Bytes<?> bytes = dc.wire().bytes();
                long batch = bytes.addressForRead(bytes.readPosition());
                if (JournalBatch.format(AddressSpace.ALL, batch) != JournalBatch.FORMAT) {
                    JournalBatch.check(AddressSpace.ALL, batch, bytes.readRemaining(), journal);
                }
                read += cursor.read(AddressSpace.ALL, batch, consumer, limit, max - read);
                if (!cursor.batchDone()) {
                    dc.rollbackOnClose(); // offered again next time; the cursor resumes inside it
                    break;
                }
            }
        }
        gate.setRelease(cursor.next());
        return read;
    }

    @Override
    public long gate() {
        return gate.getAcquire();
    }

    @Override
    public void moveTo(long index) {
        long batch = journal.batchHolding(index);
        if (batch < 0) {
            long end = journal.endOfJournal();
            if (index > end) {
                throw new IllegalStateException("journal index " + index + " is beyond the end of "
                    + journal.config().directory() + " (its next event gets index " + end + ")");
            }
            tailer.toEnd();
        } else if (!tailer.moveToIndex(batch)) {
            throw new IllegalStateException("journal index " + index + " could not be reached in "
                + journal.config().directory());
        }
        cursor.moveTo(index);
        gate.setRelease(index);
    }

    /** msyncs the journal up to its end (SYNC journals). */
    void syncAtEnd() {
        tailer.toEnd();
        tailer.sync();
    }

    @Override
    public void close() {
        tailer.close();
    }
}
