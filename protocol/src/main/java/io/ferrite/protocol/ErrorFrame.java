package io.ferrite.protocol;

import java.lang.foreign.MemorySegment;

/**
 * The body of ERROR: the server sends it, then closes the connection. Events acknowledged before
 * it stay durable.
 *
 * <pre>
 *  0      2          4               8
 *  +------+----------+---------------+---------------------
 *  | code | reserved | messageLength | message
 *  | u16  | u16 = 0  | u32 = m       | m bytes, UTF-8
 *  +------+----------+---------------+---------------------
 * </pre>
 *
 * <p>Thread-safety: not thread-safe; one flyweight per thread.
 */
public final class ErrorFrame {
    public static final int CODE_OFFSET = CodedMessage.CODE_OFFSET;
    public static final int RESERVED_OFFSET = CodedMessage.RESERVED_OFFSET;
    public static final int MESSAGE_LENGTH_OFFSET = CodedMessage.MESSAGE_LENGTH_OFFSET;
    public static final int MESSAGE_OFFSET = CodedMessage.MESSAGE_OFFSET;
    /** A body with an empty message. */
    public static final int MIN_BODY_LENGTH = CodedMessage.MIN_LENGTH;

    private MemorySegment memory;
    private long offset;

    public ErrorFrame wrap(MemorySegment memory, long bodyOffset) {
        this.memory = memory;
        this.offset = bodyOffset;
        return this;
    }

    /** The code's number; {@link ErrorCode#of} names it (null for one FWP/1 does not define). */
    public int code() {
        return CodedMessage.code(memory, offset);
    }

    public int messageLength() {
        return CodedMessage.messageLength(memory, offset);
    }

    /** The message (control path: allocates). */
    public String message() {
        return CodedMessage.message(memory, offset);
    }

    /** @return null, or MALFORMED_FRAME when the body is short or its message length does not fit it */
    public static Violation check(MemorySegment memory, long bodyOffset, int bodyLength) {
        return CodedMessage.check("ERROR", memory, bodyOffset, bodyLength, 0);
    }

    /** Bytes of a whole ERROR frame with a message of {@code messageLength} bytes. */
    public static int frameBytes(int messageLength) {
        return FrameHeader.frameBytes(MIN_BODY_LENGTH + messageLength);
    }

    /** Writes a whole ERROR frame at {@code offset}; returns its bytes. */
    public static int write(MemorySegment memory, long offset, ErrorCode code, byte[] message) {
        FrameHeader.write(memory, offset, FrameKind.ERROR, MIN_BODY_LENGTH + message.length);
        CodedMessage.write(memory, offset + FrameHeader.BODY_OFFSET, code, message);
        return frameBytes(message.length);
    }
}
