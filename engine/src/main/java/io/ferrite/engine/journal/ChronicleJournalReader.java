package io.ferrite.engine.journal;

import io.ferrite.concurrent.Progress;
import io.ferrite.offheap.AddressSpace;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;


/**
 * A Chronicle tailer as a {@link JournalReader}: records are handed over as raw mapped memory,
 * no copy, no object per record. A record at or beyond the limit is rolled back, so it is read
 * again once the limit passes it.
 *
 * <p>Thread-safety: single-threaded (the owning stage); {@link #gate()} from any thread.
 */
public final class ChronicleJournalReader implements JournalReader {
    private final ExcerptTailer tailer;
    private final Progress gate = new Progress();

    ChronicleJournalReader(ExcerptTailer tailer) {
        this.tailer = tailer;
        // Built on the engine's start thread, then owned by one stage thread (handed over by the
        // thread start, a happens-before edge); Chronicle's first-thread-wins check would refuse that.
        tailer.singleThreadedCheckDisabled(true);
    }

    @Override
    public boolean readNext(RecordConsumer consumer, long limit) {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return false;
            }
            long index = dc.index();
            if (index >= limit) {
                dc.rollbackOnClose();
                return false;
            }
            Bytes<?> bytes = dc.wire().bytes();
            long address = bytes.addressForRead(bytes.readPosition());
            consumer.onRecord(AddressSpace.ALL, address, (int) bytes.readRemaining(), index);
            gate.setRelease(index + 1);
            return true;
        }
    }

    @Override
    public long gate() {
        return gate.getAcquire();
    }

    @Override
    public void moveAfter(long index) {
        if (index < 0) {
            tailer.toStart();
            gate.setRelease(0L);
            return;
        }
        if (!tailer.moveToIndex(index)) {
            throw new IllegalStateException("journal index " + Long.toHexString(index)
                + " is not in the journal (deleted by retention, or a checkpoint from another journal?)");
        }
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                throw new IllegalStateException("journal index " + Long.toHexString(index) + " could not be read");
            }
        }
        gate.setRelease(index + 1);
    }

    /**
     * Positions the reader so that the next record read is the one at {@code index}.
     *
     * @throws IllegalArgumentException when the journal has no record at {@code index}
     */
    public void moveTo(long index) {
        if (!tailer.moveToIndex(index)) {
            throw new IllegalArgumentException("journal has no record at index " + index + " (0x" + Long.toHexString(index)
                + "); indices are printed by 'ferrite replay'");
        }
        gate.setRelease(index);
    }

    /** Positions at the end: the next record read is the next one appended. */
    public void moveToEnd() {
        tailer.toEnd();
        gate.setRelease(tailer.index());
    }

    /** msyncs the journal up to this reader's position (SYNC journals); returns the index just past it. */
    long syncAtEnd() {
        tailer.toEnd();
        long end = tailer.index();
        tailer.sync();
        gate.setRelease(end);
        return end;
    }

    @Override
    public void close() {
        tailer.close();
    }
}
