package io.ferrite.engine.journal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The MEMORY durability mode's journal: an off-heap ring of variable-length records that many
 * threads append to and a chain of consumer stages reads. A record's <em>position</em> is a byte
 * position that only grows (it is never reused), so it doubles as the record's journal index.
 *
 * <p>Thread-safety: {@link #tryClaim}, {@link #append}, {@link #commit} and {@link #abort} are
 * thread-safe and lock-free (many producers). {@link #releaseUpTo} is single-threaded: only the
 * last consumer stage calls it. Each {@link MemoryLogReader} is single-threaded. {@link #close()}
 * is control path: call it once every producer and reader has stopped. Memory ordering: see the
 * package documentation.
 *
 * <h2>Frame layout</h2>
 * Frames start on {@value #FRAME_ALIGNMENT}-byte boundaries; a frame at position {@code p} lives
 * at offset {@code p & (capacity - 1)} of {@link #memory()}.
 * <pre>
 *   0                                                               8
 *  +----------------------------------------------------------------+
 *  |                  commit word (long, see below)                 |  COMMIT_WORD_OFFSET = 0
 *  +----------------------------------------------------------------+
 *  |                  payload: payloadLength bytes                  |  PAYLOAD_OFFSET = 8
 *  |                              ...                               |
 *  |                     . . . zero fill to 8 bytes                 |
 *  +----------------------------------------------------------------+
 *
 *  commit word, one aligned long, written last with release (the commit), read with acquire:
 *   63                             32 31  30 29                     0
 *  +---------------------------------+------+------------------------+
 *  |  lap = (int) (p >>> log2(cap))  |state |  frame length          |
 *  +---------------------------------+------+------------------------+
 *   state  STATE_FREE     0  zeroed by release; the whole word is 0
 *          STATE_CLAIMED  1  claimed, bytes being written: readers wait
 *          STATE_RECORD   2  committed record; frame length = HEADER_LENGTH + payloadLength
 *          STATE_PADDING  3  padding (end of lap or an aborted claim); frame length = bytes to
 *                            skip, already aligned
 * </pre>
 * The lap in the word makes a frame left from an earlier lap unmistakable even for a reader
 * that has not yet seen the releasing stage's zeroing (see the package documentation).
 * A record that does not fit before the end of the ring is preceded by a padding frame that
 * runs to the end; the record starts at offset 0 of the next lap.
 *
 * <h2>Counters</h2>
 * Tail, released position and the producers' cached released position are longs in a separate
 * small segment, each on its own {@value #COUNTER_SPACING}-byte span so that producers claiming
 * and the last stage releasing do not share a cache line.
 */
public final class MemoryLog implements AutoCloseable {
    /** {@link #tryClaim}/{@link #append}: the ring lacks space until the last stage releases. */
    public static final long BACK_PRESSURED = -1;
    /** {@link #tryClaim}/{@link #append}: the length exceeds {@link #maxRecordLength()}. */
    public static final long TOO_LONG = -2;

    /** Smallest capacity accepted, in bytes. */
    public static final int MIN_CAPACITY = 4096;
    /** Largest capacity accepted, in bytes (frame lengths must fit the word's 30 bits). */
    public static final int MAX_CAPACITY = 1 << 30;
    /** Frames start on multiples of this many bytes. */
    public static final int FRAME_ALIGNMENT = 8;
    /** Offset of the commit word within a frame. */
    public static final int COMMIT_WORD_OFFSET = 0;
    /** Offset of the payload within a frame. */
    public static final int PAYLOAD_OFFSET = 8;
    /** Bytes before the payload. */
    public static final int HEADER_LENGTH = PAYLOAD_OFFSET;

    static final int STATE_FREE = 0;
    static final int STATE_CLAIMED = 1;
    static final int STATE_RECORD = 2;
    static final int STATE_PADDING = 3;
    private static final int STATE_SHIFT = 30;
    private static final int LENGTH_MASK = (1 << STATE_SHIFT) - 1;
    private static final int LAP_SHIFT = 32;

    static final int COUNTER_SPACING = 128;
    private static final long TAIL_OFFSET = 0;
    private static final long RELEASED_OFFSET = COUNTER_SPACING;
    private static final long RELEASED_CACHE_OFFSET = 2L * COUNTER_SPACING;
    private static final long COUNTERS_LENGTH = 3L * COUNTER_SPACING;

    /** Coordinates (MemorySegment, long offset): aligned long access with any ordering mode. */
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final Arena arena;
    private final MemorySegment memory;
    private final MemorySegment counters;
    private final int capacity;
    private final int mask;
    private final int lapShift;
    private final int maxRecordLength;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set on first {@link #releaseUpTo} when assertions are on; checks single-threadedness. */
    private Thread releaser;

    /**
     * Allocates the ring and its counters in a shared arena that {@link #close()} closes.
     *
     * @param capacity ring size in bytes: a power of two in [{@value #MIN_CAPACITY},
     *                 {@value #MAX_CAPACITY}]
     */
    public MemoryLog(int capacity) {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException(
                "capacity must be a power of two in [" + MIN_CAPACITY + ", " + MAX_CAPACITY + "]: " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.lapShift = Integer.numberOfTrailingZeros(capacity);
        this.maxRecordLength = capacity / 8;
        this.arena = Arena.ofShared();
        try {
            this.memory = arena.allocate(capacity, 4096); // allocate zeroes: every word reads STATE_FREE
            this.counters = arena.allocate(COUNTERS_LENGTH, COUNTER_SPACING);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Claims space for a record of {@code length} payload bytes. On success the caller writes the
     * payload into {@link #memory()} at {@link #payloadOffset(long)} and then calls exactly one of
     * {@link #commit} or {@link #abort}; until then readers wait at this position.
     *
     * @return the record's position (&ge; 0), {@link #BACK_PRESSURED} or {@link #TOO_LONG}
     * @throws IllegalArgumentException if {@code length} is negative (a bug)
     */
    public long tryClaim(int length) {
        if (length > maxRecordLength) {
            return TOO_LONG;
        }
        if (length < 0) {
            throw new IllegalArgumentException("negative length: " + length);
        }
        final int alignedLength = align(HEADER_LENGTH + length);
        long released = (long) LONG.getAcquire(counters, RELEASED_CACHE_OFFSET);
        while (true) {
            final long tail = (long) LONG.getVolatile(counters, TAIL_OFFSET);
            final int toEnd = capacity - (int) (tail & mask);
            final int padding = alignedLength > toEnd ? toEnd : 0;
            final long newTail = tail + padding + alignedLength;
            if (newTail - released > capacity) {
                released = (long) LONG.getAcquire(counters, RELEASED_OFFSET);
                if (newTail - released > capacity) {
                    return BACK_PRESSURED;
                }
                // Release: a producer that takes the cached value inherits our acquire of the zeroing.
                LONG.setRelease(counters, RELEASED_CACHE_OFFSET, released);
            }
            if (LONG.compareAndSet(counters, TAIL_OFFSET, tail, newTail)) {
                long position = tail;
                if (padding != 0) {
                    LONG.setRelease(memory, tail & mask, word(tail, STATE_PADDING, padding));
                    position += padding;
                }
                // Opaque: atomic, so no reader can see half of it spliced onto a stale word.
                LONG.setOpaque(memory, position & mask, word(position, STATE_CLAIMED, HEADER_LENGTH + length));
                return position;
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Publishes a claimed record: a release store of its commit word, so every byte the producer
     * wrote before this call is visible to a reader that sees the record.
     *
     * @throws IllegalStateException if {@code position} is not a claim awaiting commit or abort
     */
    public void commit(long position) {
        final long offset = position & mask;
        final long claimed = claimedWord(position, offset);
        LONG.setRelease(memory, offset, word(position, STATE_RECORD, frameLength(claimed)));
    }

    /**
     * Gives a claim back: publishes it (release store) as a padding frame that readers step over.
     *
     * @throws IllegalStateException if {@code position} is not a claim awaiting commit or abort
     */
    public void abort(long position) {
        final long offset = position & mask;
        final long claimed = claimedWord(position, offset);
        LONG.setRelease(memory, offset, word(position, STATE_PADDING, align(frameLength(claimed))));
    }

    /**
     * Claims, copies {@code length} bytes of {@code src} from {@code srcOffset}, and commits.
     *
     * @return the record's position (&ge; 0), {@link #BACK_PRESSURED} or {@link #TOO_LONG}
     * @throws IndexOutOfBoundsException if the source range is outside {@code src} (nothing claimed)
     */
    public long append(MemorySegment src, long srcOffset, int length) {
        if (length > maxRecordLength) {
            return TOO_LONG;
        }
        Objects.checkFromIndexSize(srcOffset, length, src.byteSize());
        final long position = tryClaim(length);
        if (position >= 0) {
            try {
                MemorySegment.copy(src, srcOffset, memory, payloadOffset(position), length);
            } catch (RuntimeException | Error e) {
                abort(position); // never leave a claim that would stall every reader
                throw e;
            }
            commit(position);
        }
        return position;
    }

    /**
     * Frees everything before {@code position} for producers to reuse: zeroes those bytes, then
     * publishes {@code position} as the released position with a release store, so the zeroing
     * happens-before any producer writes into the space. Single-threaded: the last consumer
     * stage; the first thread to call it owns it (checked with {@code assert}).
     *
     * @param position a frame boundary no later than the last stage's reader cursor; a value equal
     *                 to {@link #releasedPosition()} does nothing
     * @throws IllegalArgumentException if {@code position} is before the released position
     */
    public void releaseUpTo(long position) {
        assert confinedReleaser() : "releaseUpTo called from more than one thread";
        final long released = (long) LONG.get(counters, RELEASED_OFFSET); // single writer: own value
        if (position <= released) {
            if (position < released) {
                throw new IllegalArgumentException("position " + position + " is before released " + released);
            }
            return;
        }
        assert (position & (FRAME_ALIGNMENT - 1)) == 0 : "not a frame boundary: " + position;
        assert position <= tailPosition() : "releasing past the tail: " + position;
        // Plain stores split at the wrap, ordered before the release store below.
        long length = position - released;
        long from = released & mask;
        long firstPart = Math.min(length, capacity - from);
        zero(from, firstPart);
        if (firstPart < length) {
            zero(0, length - firstPart);
        }
        LONG.setRelease(counters, RELEASED_OFFSET, position);
    }

    /**
     * Zeroes whole words with a loop C2 vectorizes: {@code asSlice(..).fill(..)} allocated a slice
     * per release whenever escape analysis gave up (a CI run saw 1.5 B per event).
     */
    private void zero(long from, long length) {
        for (long at = from, end = from + length; at < end; at += Long.BYTES) {
            memory.set(ValueLayout.JAVA_LONG, at, 0L);
        }
    }

    /**
     * A single-threaded cursor that reads frames from {@code fromPosition}.
     *
     * @param fromPosition a frame boundary between {@link #releasedPosition()} and
     *                     {@link #tailPosition()}: a record's position, or a position those return
     */
    public MemoryLogReader reader(long fromPosition) {
        if ((fromPosition & (FRAME_ALIGNMENT - 1)) != 0 || fromPosition < releasedPosition()
            || fromPosition > tailPosition()) {
            throw new IllegalArgumentException("not a live frame boundary: " + fromPosition
                + " (released " + releasedPosition() + ", tail " + tailPosition() + ")");
        }
        return new MemoryLogReader(this, fromPosition);
    }

    /** Offset in {@link #memory()} of the payload of the record at {@code position}. */
    public long payloadOffset(long position) {
        return (position & mask) + PAYLOAD_OFFSET;
    }

    /** The ring: {@link #capacity()} bytes; producers write payloads here, readers read them. */
    public MemorySegment memory() {
        return memory;
    }

    /** Position the next claim starts at (acquire load): everything before it is claimed. */
    public long tailPosition() {
        return (long) LONG.getAcquire(counters, TAIL_OFFSET);
    }

    /** Position before which everything has been released (acquire load). */
    public long releasedPosition() {
        return (long) LONG.getAcquire(counters, RELEASED_OFFSET);
    }

    /** Ring size in bytes. */
    public int capacity() {
        return capacity;
    }

    /** Largest payload a record may have: {@code capacity / 8}. */
    public int maxRecordLength() {
        return maxRecordLength;
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed.get();
    }

    /** Frees the ring; later access to it throws {@link IllegalStateException}. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }

    // ---- frame encoding, shared with MemoryLogReader ----

    int mask() {
        return mask;
    }

    int lapShift() {
        return lapShift;
    }

    long word(long position, int state, int frameLength) {
        return ((long) (int) (position >>> lapShift) << LAP_SHIFT) | ((long) state << STATE_SHIFT) | frameLength;
    }

    static int lap(long word) {
        return (int) (word >>> LAP_SHIFT);
    }

    static int state(long word) {
        return ((int) word) >>> STATE_SHIFT;
    }

    static int frameLength(long word) {
        return ((int) word) & LENGTH_MASK;
    }

    static int align(int length) {
        return (length + FRAME_ALIGNMENT - 1) & -FRAME_ALIGNMENT;
    }

    private long claimedWord(long position, long offset) {
        final long word = (long) LONG.get(memory, offset); // the claiming producer's own store
        if (position < 0 || state(word) != STATE_CLAIMED || lap(word) != (int) (position >>> lapShift)) {
            throw new IllegalStateException("no open claim at position " + position);
        }
        return word;
    }

    private boolean confinedReleaser() {
        if (releaser == null) {
            releaser = Thread.currentThread();
        }
        return releaser == Thread.currentThread();
    }
}
