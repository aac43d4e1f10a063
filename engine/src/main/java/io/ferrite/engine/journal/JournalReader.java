package io.ferrite.engine.journal;

/**
 * A cursor over a {@link Journal}, in index order. Downstream readers are gated by upstream ones:
 * a reader reads only records below the {@code limit} it is given, and {@link #gate()} is the
 * limit it offers to the reader after it.
 *
 * <p>Thread-safety: single-threaded; owned by one stage. {@link #gate()} alone may be called from
 * any thread (acquire load).
 */
public interface JournalReader extends AutoCloseable {
    /** No limit: read whatever has been committed. */
    long NO_LIMIT = Long.MAX_VALUE;

    /**
     * Hands the next committed records with an index below {@code limit}, at most {@code max}, to
     * {@code consumer}, in order.
     *
     * @return records read (0 when none is ready)
     */
    int read(RecordConsumer consumer, long limit, int max);

    /** The index of the next record this reader will read: just past the last one it read (release/acquire). */
    long gate();

    /**
     * Positions the reader so that the next record read is the one at {@code index} (0: the first
     * ever journaled; the journal's next index: only what is appended from now on).
     *
     * @throws IllegalStateException when the journal no longer or not yet holds {@code index}
     */
    void moveTo(long index);

    @Override
    void close();
}
