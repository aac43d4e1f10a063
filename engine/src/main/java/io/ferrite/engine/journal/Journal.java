package io.ferrite.engine.journal;

import java.lang.foreign.MemorySegment;

/**
 * Where accepted events are kept, in index order: a Chronicle Queue on disk
 * ({@link ChronicleJournal}) or an off-heap ring in MEMORY mode ({@link MemoryJournal}). Appends
 * return the record's index (≥ 0) or a negative {@code io.ferrite.engine.PublishResult} code.
 *
 * <p>Thread-safety: {@link #append} and {@link #tryClaim} may be called from any number of threads;
 * the journal orders them. Readers are single-threaded.
 */
public interface Journal extends AutoCloseable {

    /**
     * Appends one record (header fields, then {@code payloadLength} bytes of {@code payload} from
     * {@code payloadOffset}).
     *
     * @return the index, or a negative {@code PublishResult} code (BACK_PRESSURED when a memory ring
     * is full, JOURNAL_UNAVAILABLE when it cannot be written)
     */
    long append(long publishNanos, long correlationId, long eventId, long key, long timestampNanos,
                int type, int priority, MemorySegment payload, long payloadOffset, int payloadLength);

    /**
     * Claims space for a record, writes its header and opens {@code claim} over the payload space.
     *
     * @return the index the record will have, or a negative {@code PublishResult} code
     */
    long tryClaim(long publishNanos, long correlationId, long eventId, long key, long timestampNanos,
                  int type, int priority, int payloadLength, JournalClaim claim);

    /** Called by {@link JournalClaim#commit()} and {@link JournalClaim#abort()}. */
    void finishClaim(JournalClaim claim, boolean commit);

    /**
     * A new reader at the start of the journal.
     *
     * @param releasesMemory true for the one reader (the last stage) whose progress frees space in
     *                       a memory ring; ignored by disk journals
     */
    JournalReader newReader(boolean releasesMemory);

    /** The largest payload one record may carry. */
    int maxPayloadLength();

    @Override
    void close();
}
