package io.ferrite.engine.journal;

import io.ferrite.concurrent.Progress;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A {@link MemoryLogReader} as a {@link JournalReader}. The releasing reader (the last stage's)
 * also frees the ring behind itself, no further than every release gate has read, in steps of an
 * eighth of the ring or whenever it runs out of records.
 *
 * <p>Thread-safety: single-threaded (the owning stage); {@link #gate()} from any thread.
 */
final class MemoryJournalReader implements JournalReader {
    private final MemoryLog log;
    private final MemoryLogReader reader;
    private final MemorySegment memory;
    /** Null unless this reader frees the ring. */
    private final List<JournalReader> releaseGates;
    private final long releaseStep;
    private long released;
    private final Progress gate = new Progress();

    MemoryJournalReader(MemoryLog log, List<JournalReader> releaseGates) {
        this.log = log;
        this.reader = log.reader(log.releasedPosition());
        this.memory = log.memory();
        this.releaseGates = releaseGates;
        this.releaseStep = log.capacity() / 8;
        this.released = log.releasedPosition();
        gate.setRelease(reader.cursor());
    }

    @Override
    public boolean readNext(RecordConsumer consumer, long limit) {
        long position = reader.nextRecord(limit);
        if (position == MemoryLogReader.NOT_READY) {
            gate.setRelease(reader.cursor()); // padding may have been skipped
            release(true);
            return false;
        }
        consumer.onRecord(memory, reader.payloadOffset(), reader.payloadLength(), position);
        reader.advance();
        gate.setRelease(reader.cursor());
        release(false);
        return true;
    }

    @Override
    public boolean canPeek() {
        return true;
    }

    @Override
    public boolean nextReady(long limit) {
        return reader.nextCommitted(limit);
    }

    private void release(boolean idle) {
        if (releaseGates == null) {
            return;
        }
        long upTo = reader.cursor();
        if (!idle && upTo - released < releaseStep) {
            return;
        }
        for (int i = 0; i < releaseGates.size(); i++) {
            upTo = Math.min(upTo, releaseGates.get(i).gate());
        }
        if (upTo > released) {
            log.releaseUpTo(upTo);
            released = upTo;
        }
    }

    @Override
    public long gate() {
        return gate.getAcquire();
    }

    /** A memory ring holds nothing from before this process: only -1 (the start) is meaningful. */
    @Override
    public void moveAfter(long index) {
        if (index >= 0) {
            throw new IllegalStateException("a MEMORY journal cannot replay from index " + index);
        }
    }

    @Override
    public void close() {
        // nothing to release: the ring belongs to the journal
    }
}
