package io.ferrite.engine.journal;

import io.ferrite.concurrent.Progress;

import java.lang.foreign.MemorySegment;

/**
 * A {@link MemoryLogReader} as a {@link JournalReader}: each ring frame is a batch, read record by
 * record through a {@link BatchCursor}. The releasing reader (the last stage's) also frees the ring
 * behind itself, in steps of an eighth of the ring or whenever it runs out of records; every other
 * reader is ahead of it (each stage reads only what the stage before it has finished).
 *
 * <p>Thread-safety: single-threaded (the owning stage); {@link #gate()} from any thread.
 */
final class MemoryJournalReader implements JournalReader {
    private final MemoryLog log;
    private final MemoryLogReader reader;
    private final MemorySegment memory;
    private final boolean releasesMemory;
    private final long releaseStep;
    private final BatchCursor cursor;
    private final Progress gate = new Progress();
    private long released;

    /**
     * A reader at the oldest batch the ring still holds, or, when it holds none, at
     * {@code nextIndex} (what the writer appends next).
     */
    MemoryJournalReader(MemoryLog log, long nextIndex, boolean releasesMemory) {
        this.log = log;
        this.reader = log.reader(log.releasedPosition());
        this.memory = log.memory();
        this.releasesMemory = releasesMemory;
        this.releaseStep = log.capacity() / 8;
        this.released = log.releasedPosition();
        // a throwaway reader peeks: this one belongs to the thread that reads first (the stage's)
        MemoryLogReader peek = log.reader(log.releasedPosition());
        long first = peek.nextRecord() == MemoryLogReader.NOT_READY ? nextIndex
            : JournalBatch.firstIndex(memory, peek.payloadOffset());
        this.cursor = new BatchCursor(first);
        gate.setRelease(first);
    }

    @Override
    public int read(RecordConsumer consumer, long limit, int max) {
        int read = 0;
        while (read < max && cursor.next() < limit) {
            if (reader.nextRecord() == MemoryLogReader.NOT_READY) {
                break;
            }
            read += cursor.read(memory, reader.payloadOffset(), consumer, limit, max - read);
            if (!cursor.batchDone()) {
                break; // this frame again next time; the cursor resumes inside it
            }
            reader.advance();
            release(false);
        }
        if (read == 0) {
            release(true);
        }
        gate.setRelease(cursor.next());
        return read;
    }

    private void release(boolean idle) {
        if (!releasesMemory) {
            return;
        }
        long upTo = reader.cursor();
        if (upTo > released && (idle || upTo - released >= releaseStep)) {
            log.releaseUpTo(upTo);
            released = upTo;
        }
    }

    @Override
    public long gate() {
        return gate.getAcquire();
    }

    /** A memory ring holds nothing from before this process: only the reader's own position is meaningful. */
    @Override
    public void moveTo(long index) {
        if (index != cursor.next()) {
            throw new IllegalStateException("a MEMORY journal cannot replay: asked for index " + index
                + ", it is at " + cursor.next());
        }
    }

    @Override
    public void close() {
        // nothing to release: the ring belongs to the journal
    }
}
