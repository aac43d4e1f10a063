package io.ferrite.protocol;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The tail that REJECT and ERROR bodies share: a code, a reserved field and a UTF-8 message.
 * ERROR's body is this tail alone; REJECT's is a correlationId, then this tail.
 *
 * <pre>
 *  0      2          4               8
 *  +------+----------+---------------+---------------------
 *  | code | reserved | messageLength | message
 *  | u16  | u16 = 0  | u32 = m       | m bytes, UTF-8
 *  +------+----------+---------------+---------------------
 * </pre>
 *
 * <p>Thread-safety: stateless.
 */
final class CodedMessage {
    static final int CODE_OFFSET = 0;
    static final int RESERVED_OFFSET = 2;
    static final int MESSAGE_LENGTH_OFFSET = 4;
    static final int MESSAGE_OFFSET = 8;
    /** The tail with an empty message. */
    static final int MIN_LENGTH = 8;

    private CodedMessage() {
    }

    static int code(MemorySegment memory, long at) {
        return Wire.u16(memory, at + CODE_OFFSET);
    }

    static int messageLength(MemorySegment memory, long at) {
        return (int) Wire.u32(memory, at + MESSAGE_LENGTH_OFFSET);
    }

    /** The message (control path: allocates). */
    static String message(MemorySegment memory, long at) {
        return Wire.text(memory, at + MESSAGE_OFFSET, messageLength(memory, at));
    }

    /**
     * Checks a {@code kind} body of {@code bodyLength} bytes whose tail starts {@code tailOffset}
     * bytes in: null, or MALFORMED_FRAME when it is short or its message length does not fit it.
     */
    static Violation check(String kind, MemorySegment memory, long bodyOffset, int bodyLength, int tailOffset) {
        int minBodyLength = tailOffset + MIN_LENGTH;
        if (bodyLength < minBodyLength) {
            return new Violation(ErrorCode.MALFORMED_FRAME,
                kind + " body of " + bodyLength + " bytes is shorter than " + minBodyLength);
        }
        long messageLength = Wire.u32(memory, bodyOffset + tailOffset + MESSAGE_LENGTH_OFFSET);
        return messageLength == bodyLength - minBodyLength ? null
            : new Violation(ErrorCode.MALFORMED_FRAME, kind + " messageLength " + messageLength
                + " does not match its body of " + bodyLength + " bytes");
    }

    static void write(MemorySegment memory, long at, ErrorCode code, byte[] message) {
        memory.set(Wire.U16, at + CODE_OFFSET, (short) code.code());
        memory.set(Wire.U16, at + RESERVED_OFFSET, (short) 0);
        memory.set(Wire.U32, at + MESSAGE_LENGTH_OFFSET, message.length);
        MemorySegment.copy(message, 0, memory, ValueLayout.JAVA_BYTE, at + MESSAGE_OFFSET, message.length);
    }
}
