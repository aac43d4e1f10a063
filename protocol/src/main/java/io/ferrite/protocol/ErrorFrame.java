package io.ferrite.protocol;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

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
    public static final int CODE_OFFSET = 0;
    public static final int RESERVED_OFFSET = 2;
    public static final int MESSAGE_LENGTH_OFFSET = 4;
    public static final int MESSAGE_OFFSET = 8;
    /** A body with an empty message. */
    public static final int MIN_BODY_LENGTH = 8;

    private MemorySegment memory;
    private long offset;

    public ErrorFrame wrap(MemorySegment memory, long bodyOffset) {
        this.memory = memory;
        this.offset = bodyOffset;
        return this;
    }

    /** The code's number; {@link ErrorCode#of} names it (null for one FWP/1 does not define). */
    public int code() {
        return Wire.u16(memory, offset + CODE_OFFSET);
    }

    public int messageLength() {
        return (int) Wire.u32(memory, offset + MESSAGE_LENGTH_OFFSET);
    }

    /** The message (control path: allocates). */
    public String message() {
        return Wire.text(memory, offset + MESSAGE_OFFSET, messageLength());
    }

    /** @return null, or MALFORMED_FRAME when the body is short or its message length does not fit it */
    public static Violation check(MemorySegment memory, long bodyOffset, int bodyLength) {
        if (bodyLength < MIN_BODY_LENGTH) {
            return new Violation(ErrorCode.MALFORMED_FRAME,
                "ERROR body of " + bodyLength + " bytes is shorter than " + MIN_BODY_LENGTH);
        }
        long messageLength = Wire.u32(memory, bodyOffset + MESSAGE_LENGTH_OFFSET);
        return messageLength == bodyLength - MIN_BODY_LENGTH ? null
            : new Violation(ErrorCode.MALFORMED_FRAME, "ERROR messageLength " + messageLength
                + " does not match its body of " + bodyLength + " bytes");
    }

    /** Bytes of a whole ERROR frame with a message of {@code messageLength} bytes. */
    public static int frameBytes(int messageLength) {
        return FrameHeader.frameBytes(MIN_BODY_LENGTH + messageLength);
    }

    /** Writes a whole ERROR frame at {@code offset}; returns its bytes. */
    public static int write(MemorySegment memory, long offset, ErrorCode code, byte[] message) {
        FrameHeader.write(memory, offset, FrameKind.ERROR, MIN_BODY_LENGTH + message.length);
        long body = offset + FrameHeader.BODY_OFFSET;
        memory.set(Wire.U16, body + CODE_OFFSET, (short) code.code());
        memory.set(Wire.U16, body + RESERVED_OFFSET, (short) 0);
        memory.set(Wire.U32, body + MESSAGE_LENGTH_OFFSET, message.length);
        MemorySegment.copy(message, 0, memory, ValueLayout.JAVA_BYTE, body + MESSAGE_OFFSET, message.length);
        return frameBytes(message.length);
    }
}
