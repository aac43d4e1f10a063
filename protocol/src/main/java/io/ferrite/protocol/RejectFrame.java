package io.ferrite.protocol;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

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
    public static final int CODE_OFFSET = 8;
    public static final int RESERVED_OFFSET = 10;
    public static final int MESSAGE_LENGTH_OFFSET = 12;
    public static final int MESSAGE_OFFSET = 16;
    /** A body with an empty message. */
    public static final int MIN_BODY_LENGTH = 16;

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
                "REJECT body of " + bodyLength + " bytes is shorter than " + MIN_BODY_LENGTH);
        }
        long messageLength = Wire.u32(memory, bodyOffset + MESSAGE_LENGTH_OFFSET);
        return messageLength == bodyLength - MIN_BODY_LENGTH ? null
            : new Violation(ErrorCode.MALFORMED_FRAME, "REJECT messageLength " + messageLength
                + " does not match its body of " + bodyLength + " bytes");
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
        memory.set(Wire.U16, body + CODE_OFFSET, (short) code.code());
        memory.set(Wire.U16, body + RESERVED_OFFSET, (short) 0);
        memory.set(Wire.U32, body + MESSAGE_LENGTH_OFFSET, message.length);
        MemorySegment.copy(message, 0, memory, ValueLayout.JAVA_BYTE, body + MESSAGE_OFFSET, message.length);
        return frameBytes(message.length);
    }
}
