package io.ferrite.protocol;

import java.lang.foreign.MemorySegment;

/**
 * The body of REJECT: one event refused; the connection stays open.
 *
 * <pre>
 *  0               8      10         12              16
 *  +---------------+------+----------+---------------+---------------------
 *  | correlationId | code | reserved | messageLength | message
 *  | u64           | u16  | u16 = 0  | u32 = m       | m bytes, UTF-8
 *  +---------------+------+----------+---------------+---------------------
 * </pre>
 *
 * <p>Thread-safety: not thread-safe; one flyweight per thread.
 */
public final class RejectFrame {
    public static final int CORRELATION_ID_OFFSET = 0;
    /** Where the tail REJECT shares with ERROR ({@link CodedMessage}) starts. */
    private static final int TAIL_OFFSET = 8;
    public static final int CODE_OFFSET = TAIL_OFFSET + CodedMessage.CODE_OFFSET;
    public static final int RESERVED_OFFSET = TAIL_OFFSET + CodedMessage.RESERVED_OFFSET;
    public static final int MESSAGE_LENGTH_OFFSET = TAIL_OFFSET + CodedMessage.MESSAGE_LENGTH_OFFSET;
    public static final int MESSAGE_OFFSET = TAIL_OFFSET + CodedMessage.MESSAGE_OFFSET;
    /** A body with an empty message. */
    public static final int MIN_BODY_LENGTH = TAIL_OFFSET + CodedMessage.MIN_LENGTH;

    private MemorySegment memory;
    private long offset;

    public RejectFrame wrap(MemorySegment memory, long bodyOffset) {
        this.memory = memory;
        this.offset = bodyOffset;
        return this;
    }

    public long correlationId() {
        return Wire.u64(memory, offset + CORRELATION_ID_OFFSET);
    }

    /** The code's number; {@link ErrorCode#of} names it (null for one FWP/1 does not define). */
    public int code() {
        return CodedMessage.code(memory, offset + TAIL_OFFSET);
    }

    public int messageLength() {
        return CodedMessage.messageLength(memory, offset + TAIL_OFFSET);
    }

    /** The message (control path: allocates). */
    public String message() {
        return CodedMessage.message(memory, offset + TAIL_OFFSET);
    }

    /** @return null, or MALFORMED_FRAME when the body is short or its message length does not fit it */
    public static Violation check(MemorySegment memory, long bodyOffset, int bodyLength) {
        return CodedMessage.check("REJECT", memory, bodyOffset, bodyLength, TAIL_OFFSET);
    }

    /** Bytes of a whole REJECT frame with a message of {@code messageLength} bytes. */
    public static int frameBytes(int messageLength) {
        return FrameHeader.frameBytes(MIN_BODY_LENGTH + messageLength);
    }

    /** Writes a whole REJECT frame at {@code offset}; returns its bytes. */
    public static int write(MemorySegment memory, long offset, long correlationId, ErrorCode code, byte[] message) {
        FrameHeader.write(memory, offset, FrameKind.REJECT, MIN_BODY_LENGTH + message.length);
        long body = offset + FrameHeader.BODY_OFFSET;
        memory.set(Wire.U64, body + CORRELATION_ID_OFFSET, correlationId);
        CodedMessage.write(memory, body + TAIL_OFFSET, code, message);
        return frameBytes(message.length);
    }
}
