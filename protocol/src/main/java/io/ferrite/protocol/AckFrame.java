package io.ferrite.protocol;

import java.lang.foreign.MemorySegment;

/**
 * The body of ACK: every EVENT on the connection with a correlationId up to this one was accepted
 * under the server's durability mode, or REJECTed before this ACK (cumulative).
 *
 * <pre>
 *  0               8               16
 *  +---------------+---------------+
 *  | correlationId | journalIndex  |
 *  | u64           | u64           |
 *  +---------------+---------------+
 * </pre>
 * {@code journalIndex} is where the acknowledged event was journaled; 0 when it was rejected or a
 * duplicate.
 *
 * <p>Thread-safety: not thread-safe; one flyweight per thread.
 */
public final class AckFrame {
    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int JOURNAL_INDEX_OFFSET = 8;
    public static final int BODY_LENGTH = 16;
    public static final int FRAME_BYTES = FrameHeader.HEADER_LENGTH + BODY_LENGTH;

    private MemorySegment memory;
    private long offset;

    public AckFrame wrap(MemorySegment memory, long bodyOffset) {
        this.memory = memory;
        this.offset = bodyOffset;
        return this;
    }

    public long correlationId() {
        return Wire.u64(memory, offset + CORRELATION_ID_OFFSET);
    }

    public long journalIndex() {
        return Wire.u64(memory, offset + JOURNAL_INDEX_OFFSET);
    }

    /** @return null, or MALFORMED_FRAME for a body that is not 16 bytes */
    public static Violation check(int bodyLength) {
        return bodyLength == BODY_LENGTH ? null
            : new Violation(ErrorCode.MALFORMED_FRAME, "ACK body must be " + BODY_LENGTH + " bytes, was " + bodyLength);
    }

    /** Writes a whole ACK frame at {@code offset}; returns {@link #FRAME_BYTES}. */
    public static int write(MemorySegment memory, long offset, long correlationId, long journalIndex) {
        FrameHeader.write(memory, offset, FrameKind.ACK, BODY_LENGTH);
        long body = offset + FrameHeader.BODY_OFFSET;
        memory.set(Wire.U64, body + CORRELATION_ID_OFFSET, correlationId);
        memory.set(Wire.U64, body + JOURNAL_INDEX_OFFSET, journalIndex);
        return FRAME_BYTES;
    }
}
