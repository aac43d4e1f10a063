package io.ferrite.engine.journal;

import java.lang.foreign.MemorySegment;

/**
 * A cursor over a {@link MemoryLog}: finds the committed record at its position, exposes it as
 * offsets into {@link MemoryLog#memory()}, and moves past it on {@link #advance()}. Nothing is
 * allocated per record.
 *
 * <p>Typical duty cycle of a stage, gated by the stage before it:
 * <pre>{@code
 * long limit = upstreamCursor.getAcquire();   // published by the stage before; first stage: Long.MAX_VALUE
 * while (reader.nextRecord(limit) != MemoryLogReader.NOT_READY) {
 *     handle(log.memory(), reader.payloadOffset(), reader.payloadLength());
 *     reader.advance();
 * }
 * ownCursor.setRelease(reader.cursor());       // the last stage instead: log.releaseUpTo(reader.cursor())
 * }</pre>
 *
 * <p>Thread-safety: single-threaded: owned by one consumer stage; the first thread to read
 * through it owns it (checked with {@code assert}).
 */
public final class MemoryLogReader {
    /** {@link #nextRecord}: no committed record at the cursor (yet), or the limit is reached. */
    public static final long NOT_READY = -1;

    private final MemoryLog log;
    private final MemorySegment memory;
    private final int mask;
    private final int lapShift;
    private final long capacity;
    private long cursor;
    /** Last released position loaded (acquire); only grows. */
    private long releasedSeen;

    /** Frame length of the current record, 0 when there is none. */
    private int currentFrameLength;
    private Thread owner;

    MemoryLogReader(MemoryLog log, long fromPosition) {
        this.log = log;
        this.memory = log.memory();
        this.mask = log.mask();
        this.lapShift = log.lapShift();
        this.capacity = log.capacity();
        this.cursor = fromPosition;
        this.releasedSeen = log.releasedPosition();
    }

    /** {@link #nextRecord(long)} with no limit: for the first stage of a chain. */
    public long nextRecord() {
        return nextRecord(Long.MAX_VALUE);
    }

    /**
     * Looks at the frame at the cursor with an acquire load of its commit word (after an acquire
     * load of the released position, about once a lap; see the package documentation). Padding frames
     * (end of a lap, aborted claims) are stepped over; a committed record becomes the current
     * record and stays current, and at the cursor, until {@link #advance()}.
     *
     * @param limitPosition read only frames that start before this position: the cursor of the
     *                      stage this one is gated by
     * @return the current record's position, or {@link #NOT_READY} when the frame at the cursor
     * is not committed yet or the cursor has reached {@code limitPosition}
     */
    public long nextRecord(long limitPosition) {
        assert confined() : "MemoryLogReader used from more than one thread";
        while (cursor < limitPosition) {
            if (cursor - capacity >= releasedSeen) {
                // The previous lap's bytes here may not be released (and zeroed) yet; if so,
                // no producer can have claimed this position. The acquire load also makes the
                // zeroing visible, so the word below is never a leftover of that lap.
                releasedSeen = log.releasedPosition();
                if (cursor - capacity >= releasedSeen) {
                    break;
                }
            }
            final long word = (long) MemoryLog.LONG.getAcquire(memory, cursor & mask);
            if (MemoryLog.lap(word) != (int) (cursor >>> lapShift)) {
                break; // zeroed: not claimed yet (the lap is a second guard against leftovers)
            }
            final int state = MemoryLog.state(word);
            if (state == MemoryLog.STATE_RECORD) {
                currentFrameLength = MemoryLog.frameLength(word);
                assert currentFrameLength >= MemoryLog.HEADER_LENGTH : "corrupt frame at " + cursor;
                return cursor;
            }
            if (state != MemoryLog.STATE_PADDING) {
                break; // STATE_FREE or STATE_CLAIMED
            }
            cursor += MemoryLog.frameLength(word);
        }
        currentFrameLength = 0;
        return NOT_READY;
    }

    /**
     * Whether a committed record follows the current one before {@code limitPosition} (padding
     * frames are stepped over). The cursor does not move. A stage uses it to tell the handler that
     * an event ends the batch without polling a counter the producers write on every event.
     *
     * @throws IllegalStateException if there is no current record
     */
    public boolean nextCommitted(long limitPosition) {
        requireRecord();
        long position = cursor + MemoryLog.align(currentFrameLength);
        while (position < limitPosition) {
            if (position - capacity >= releasedSeen) {
                releasedSeen = log.releasedPosition(); // as in nextRecord: never read an unreleased lap
                if (position - capacity >= releasedSeen) {
                    return false;
                }
            }
            final long word = (long) MemoryLog.LONG.getAcquire(memory, position & mask);
            if (MemoryLog.lap(word) != (int) (position >>> lapShift)) {
                return false;
            }
            final int state = MemoryLog.state(word);
            if (state == MemoryLog.STATE_RECORD) {
                return true;
            }
            if (state != MemoryLog.STATE_PADDING) {
                return false;
            }
            position += MemoryLog.frameLength(word);
        }
        return false;
    }

    /**
     * Moves the cursor past the current record.
     *
     * @throws IllegalStateException if there is no current record
     */
    public void advance() {
        assert confined() : "MemoryLogReader used from more than one thread";
        if (currentFrameLength == 0) {
            throw new IllegalStateException("no current record: nextRecord() did not return one");
        }
        cursor += MemoryLog.align(currentFrameLength);
        currentFrameLength = 0;
    }

    /** Whether {@link #nextRecord} returned a record that has not been advanced past. */
    public boolean hasRecord() {
        return currentFrameLength != 0;
    }

    /** Position of the current record (equal to {@link #cursor()} while there is one). */
    public long position() {
        requireRecord();
        return cursor;
    }

    /** Offset in {@link MemoryLog#memory()} of the current record's payload. */
    public long payloadOffset() {
        requireRecord();
        return (cursor & mask) + MemoryLog.PAYLOAD_OFFSET;
    }

    /** Payload length of the current record in bytes. */
    public int payloadLength() {
        requireRecord();
        return currentFrameLength - MemoryLog.HEADER_LENGTH;
    }

    /**
     * The frame boundary this reader looks at next: everything before it has been read. Publish
     * it (with a release store) to gate the next stage, or pass it to
     * {@link MemoryLog#releaseUpTo} from the last stage.
     */
    public long cursor() {
        return cursor;
    }

    /** The log this reader reads. */
    public MemoryLog log() {
        return log;
    }

    private void requireRecord() {
        if (currentFrameLength == 0) {
            throw new IllegalStateException("no current record: nextRecord() did not return one");
        }
    }

    private boolean confined() {
        if (owner == null) {
            owner = Thread.currentThread();
        }
        return owner == Thread.currentThread();
    }
}
