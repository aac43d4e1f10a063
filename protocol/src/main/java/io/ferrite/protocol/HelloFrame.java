package io.ferrite.protocol;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;

/**
 * The body of HELLO, the first frame a client sends.
 *
 * <pre>
 *  0         2          4              8                 8+t            12+t
 *  +---------+----------+--------------+-----------------+--------------+------------------
 *  | version | reserved | tokenLength  | token           | nameLength   | client name
 *  | u16 = 1 | u16 = 0  | u32 = t      | t bytes         | u32 = n      | n bytes, UTF-8
 *  +---------+----------+--------------+-----------------+--------------+------------------
 * </pre>
 * The lengths must add up to the body exactly: {@code 12 + t + n}.
 *
 * <p>Thread-safety: not thread-safe; one flyweight per thread.
 */
public final class HelloFrame {
    /** The protocol version this code speaks. */
    public static final int VERSION = 1;
    public static final int VERSION_OFFSET = 0;
    public static final int RESERVED_OFFSET = 2;
    public static final int TOKEN_LENGTH_OFFSET = 4;
    public static final int TOKEN_OFFSET = 8;
    /** A body with an empty token and an empty name. */
    public static final int MIN_BODY_LENGTH = 12;

    private MemorySegment memory;
    private long offset;

    /** Views a body that {@link #check} accepted. */
    public HelloFrame wrap(MemorySegment memory, long bodyOffset) {
        this.memory = memory;
        this.offset = bodyOffset;
        return this;
    }

    public int version() {
        return Wire.u16(memory, offset + VERSION_OFFSET);
    }

    public int reserved() {
        return Wire.u16(memory, offset + RESERVED_OFFSET);
    }

    public int tokenLength() {
        return (int) Wire.u32(memory, offset + TOKEN_LENGTH_OFFSET);
    }

    public int nameLength() {
        return (int) Wire.u32(memory, offset + TOKEN_OFFSET + tokenLength());
    }

    /** The client name (control path: allocates). */
    public String name() {
        return Wire.text(memory, offset + TOKEN_OFFSET + tokenLength() + 4L, nameLength());
    }

    /** Compares the token with {@code expected} in time that does not depend on where they differ. */
    /** The token's bytes, copied (control path). */
    public byte[] token() {
        return Wire.bytes(memory, offset + TOKEN_OFFSET, tokenLength());
    }

    public boolean tokenEquals(byte[] expected) {
        return MessageDigest.isEqual(Wire.bytes(memory, offset + TOKEN_OFFSET, tokenLength()), expected);
    }

    /**
     * Checks a HELLO body in the order a server answers its faults: shape first (MALFORMED_FRAME),
     * then reserved (PROTOCOL_VIOLATION), then version (UNSUPPORTED_VERSION).
     *
     * @return null when the body is a well-formed HELLO of version 1
     */
    public static Violation check(MemorySegment memory, long bodyOffset, int bodyLength) {
        if (bodyLength < MIN_BODY_LENGTH) {
            return new Violation(ErrorCode.MALFORMED_FRAME,
                "HELLO body of " + bodyLength + " bytes is shorter than " + MIN_BODY_LENGTH);
        }
        long tokenLength = Wire.u32(memory, bodyOffset + TOKEN_LENGTH_OFFSET);
        if (tokenLength > bodyLength - MIN_BODY_LENGTH) {
            return new Violation(ErrorCode.MALFORMED_FRAME, "HELLO tokenLength " + tokenLength + " overruns the frame");
        }
        long nameLengthAt = bodyOffset + TOKEN_OFFSET + tokenLength;
        long nameLength = Wire.u32(memory, nameLengthAt);
        if (MIN_BODY_LENGTH + tokenLength + nameLength != bodyLength) {
            return new Violation(ErrorCode.MALFORMED_FRAME, "HELLO lengths (token " + tokenLength + ", name "
                + nameLength + ") do not add up to its body of " + bodyLength + " bytes");
        }
        if (!Wire.isUtf8(memory, nameLengthAt + 4, (int) nameLength)) {
            return new Violation(ErrorCode.MALFORMED_FRAME, "HELLO client name is not valid UTF-8");
        }
        int reserved = Wire.u16(memory, bodyOffset + RESERVED_OFFSET);
        if (reserved != 0) {
            return new Violation(ErrorCode.PROTOCOL_VIOLATION, "HELLO reserved field must be 0, was " + reserved);
        }
        int version = Wire.u16(memory, bodyOffset + VERSION_OFFSET);
        if (version != VERSION) {
            return new Violation(ErrorCode.UNSUPPORTED_VERSION,
                "version " + version + " is not supported; this server speaks " + VERSION);
        }
        return null;
    }

    /** Bytes of a whole HELLO frame. */
    public static int frameBytes(int tokenLength, int nameLength) {
        return FrameHeader.frameBytes(MIN_BODY_LENGTH + tokenLength + nameLength);
    }

    /** Writes a whole HELLO frame at {@code offset}; returns its bytes. */
    public static int write(MemorySegment memory, long offset, byte[] token, byte[] name) {
        FrameHeader.write(memory, offset, FrameKind.HELLO, MIN_BODY_LENGTH + token.length + name.length);
        long body = offset + FrameHeader.BODY_OFFSET;
        memory.set(Wire.U16, body + VERSION_OFFSET, (short) VERSION);
        memory.set(Wire.U16, body + RESERVED_OFFSET, (short) 0);
        memory.set(Wire.U32, body + TOKEN_LENGTH_OFFSET, token.length);
        MemorySegment.copy(token, 0, memory, ValueLayout.JAVA_BYTE, body + TOKEN_OFFSET, token.length);
        long nameAt = body + TOKEN_OFFSET + token.length;
        memory.set(Wire.U32, nameAt, name.length);
        MemorySegment.copy(name, 0, memory, ValueLayout.JAVA_BYTE, nameAt + 4, name.length);
        return frameBytes(token.length, name.length);
    }
}
