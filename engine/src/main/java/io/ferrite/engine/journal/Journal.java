package io.ferrite.engine.journal;

/**
 * Where accepted events are kept, in index order, as {@link JournalBatch batches}: a Chronicle
 * Queue on disk ({@link ChronicleJournal}) or an off-heap ring in MEMORY mode
 * ({@link MemoryJournal}). One writer appends (the sequencer); any number of readers read.
 *
 * <p>Thread-safety: {@link #claim} and the claim's commit or abort by one thread at a time (the
 * sequencer holds its lock); readers single-threaded each; {@link #close()} once.
 */
public interface Journal extends AutoCloseable {

    /** The index the first record of the next batch gets: what the journal held when it opened, then the writer's. */
    long nextIndex();

    /** The most record bytes (length prefixes included) one batch may hold. */
    int maxBatchBytes();

    /**
     * The writer caught {@code fault} while writing into {@code claim}'s memory (a mapped page the
     * disk could not back): drops the batch as if never claimed.
     *
     * @return JOURNAL_UNAVAILABLE
     */
    default long writeFailed(JournalClaim claim, Throwable fault) {
        claim.abort();
        return io.ferrite.engine.PublishResult.JOURNAL_UNAVAILABLE;
    }

    /** Why the journal refuses writes now (disk full, the last write failed), or null when it takes them. */
    default String unavailableReason() {
        return null;
    }

    /** The largest payload one record may carry. */
    int maxPayloadLength();

    /**
     * Claims room for a batch of {@code count} records taking {@code recordBytes} bytes, writes its
     * header (first index {@link #nextIndex()}) and opens {@code claim} over the records' space.
     *
     * @return 0, or a negative {@code PublishResult} code: BACK_PRESSURED when a memory ring is
     * full, JOURNAL_UNAVAILABLE when it cannot be written (then {@code claim} is not open)
     */
    long claim(int count, int recordBytes, long journaledAtEpochNanos, JournalClaim claim);

    /**
     * Called by {@link JournalClaim#commit()} and {@link JournalClaim#abort()}.
     *
     * @return 0, or JOURNAL_UNAVAILABLE when a commit failed
     */
    long finishClaim(JournalClaim claim, boolean commit);

    /**
     * A new reader at the start of what the journal holds.
     *
     * @param releasesMemory true for the one reader (the last stage) whose progress frees space in
     *                       a memory ring; ignored by disk journals
     */
    JournalReader newReader(boolean releasesMemory);

    @Override
    void close();
}
