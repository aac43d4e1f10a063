package io.ferrite.engine.sequencer;

import io.ferrite.protocol.EventFrame;
import io.ferrite.protocol.Wire;

import java.lang.foreign.MemorySegment;

/**
 * The events of one network read, handed to the {@link Sequencer} in one call: where each EVENT
 * body lies (the FWP/1 body, 40 bytes then the payload, validated by the caller), and, after
 * {@link Sequencer#append}, what became of each. One instance per connection, reused read after
 * read: nothing is allocated per event.
 *
 * <p>After an append, events {@code 0 .. appended() - 1} have an outcome: {@link #result(int)} is
 * the journal index (≥ 0; for a {@link #duplicate(int) duplicate}, the original's), or a negative
 * {@code PublishResult} code (REJECTED: too large; JOURNAL_UNAVAILABLE; CLOSED). Events from
 * {@code appended()} on were not taken (the engine is full): offer them again later.
 *
 * <p>Thread-safety: single-threaded; the sequencer uses it only during {@code append}.
 */
public final class EventBatch {
    private final long[] offsets;
    private final int[] lengths;
    private final long[] results;
    private final boolean[] duplicates;
    private MemorySegment memory;
    private int count;
    private int appended;

    /** Room for {@code capacity} events, at most {@link Sequencer#MAX_BATCH_EVENTS}. */
    public EventBatch(int capacity) {
        if (capacity < 1 || capacity > Sequencer.MAX_BATCH_EVENTS) {
            throw new IllegalArgumentException("an event batch holds 1.." + Sequencer.MAX_BATCH_EVENTS + " events, was "
                + capacity);
        }
        offsets = new long[capacity];
        lengths = new int[capacity];
        results = new long[capacity];
        duplicates = new boolean[capacity];
    }

    /** Empties the batch; the next events lie in {@code memory}. */
    public void reset(MemorySegment eventMemory) {
        this.memory = eventMemory;
        this.count = 0;
        this.appended = 0;
    }

    /**
     * Adds the EVENT body of {@code bodyLength} bytes at {@code bodyOffset}.
     *
     * @return false when the batch is full (nothing added)
     */
    public boolean add(long bodyOffset, int bodyLength) {
        if (count == offsets.length) {
            return false;
        }
        offsets[count] = bodyOffset;
        lengths[count] = bodyLength;
        count++;
        return true;
    }

    public int count() {
        return count;
    }

    public boolean isFull() {
        return count == offsets.length;
    }

    public int capacity() {
        return offsets.length;
    }

    /** Events with an outcome (a prefix of the batch). */
    public int appended() {
        return appended;
    }

    /** The outcome of event {@code i < appended()}. */
    public long result(int i) {
        return results[i];
    }

    /** Whether event {@code i} was a duplicate (its result is the original's index). */
    public boolean duplicate(int i) {
        return duplicates[i];
    }

    /** The correlationId of event {@code i}, read from its body. */
    public long correlationId(int i) {
        return memory.get(Wire.U64, offsets[i] + EventFrame.CORRELATION_ID_OFFSET);
    }

    MemorySegment memory() {
        return memory;
    }

    /** Where the body of event {@code i} lies in the batch's memory. */
    public long bodyOffset(int i) {
        return offsets[i];
    }

    /** The body length of event {@code i}: the 40-byte EVENT header and the payload. */
    public int bodyLength(int i) {
        return lengths[i];
    }

    void outcome(int i, long result, boolean duplicate) {
        results[i] = result;
        duplicates[i] = duplicate;
    }

    /** Events {@code 0 .. upTo - 1} now have outcomes. */
    void appendedUpTo(int upTo) {
        appended = upTo;
    }
}
