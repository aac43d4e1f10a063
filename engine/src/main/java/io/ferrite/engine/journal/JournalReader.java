package io.ferrite.engine.journal;

/**
 * A cursor over a {@link Journal}, in index order. Downstream readers are gated by upstream ones:
 * a reader reads only records below the {@code limit} it is given, and {@link #gate()} is the limit
 * it offers to the reader after it.
 *
 * <p>Thread-safety: single-threaded; owned by one stage. {@link #gate()} alone may be called from
 * any thread (acquire load).
 */
public interface JournalReader extends AutoCloseable {
    /** No limit: read whatever has been committed. */
    long NO_LIMIT = Long.MAX_VALUE;

    /**
     * Hands the next committed record whose index is below {@code limit} to {@code consumer}.
     *
     * @return true when a record was read, false when none is ready (or the next is not below limit)
     */
    boolean readNext(RecordConsumer consumer, long limit);

    /**
     * Whether this reader answers {@link #nextReady} cheaply; if not, a stage tells the end of a
     * batch from its upstream's event count instead.
     */
    default boolean canPeek() {
        return false;
    }

    /**
     * While the consumer handles a record: whether the record after it is already committed with an
     * index below {@code limit}. A reader that cannot peek ({@link #canPeek()} false) answers false,
     * meaning "not known"; callers ask {@link #canPeek()} first.
     */
    default boolean nextReady(long limit) {
        return false;
    }

    /** Just past the last record this reader has read, published with release semantics. */
    long gate();

    /** Positions the reader so that the next record read is the first after {@code index}; -1: the start. */
    void moveAfter(long index);

    @Override
    void close();
}
