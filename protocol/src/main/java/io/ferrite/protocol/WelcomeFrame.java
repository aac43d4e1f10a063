package io.ferrite.protocol;

import java.lang.foreign.MemorySegment;

/**
 * The body of WELCOME, the server's answer to a good HELLO.
 *
 * <pre>
 *  0         2          4                8                      16
 *  +---------+----------+----------------+----------------------+
 *  | version | reserved | maxFrameLength | instanceId           |
 *  | u16     | u16 = 0  | u32            | u64                  |
 *  +---------+----------+----------------+----------------------+
 * </pre>
 * {@code instanceId} changes each time the server process starts.
 *
 * <p>Thread-safety: not thread-safe; one flyweight per thread.
 */
public final class WelcomeFrame {
    public static final int VERSION_OFFSET = 0;
    public static final int RESERVED_OFFSET = 2;
    public static final int MAX_FRAME_LENGTH_OFFSET = 4;
    public static final int INSTANCE_ID_OFFSET = 8;
    public static final int BODY_LENGTH = 16;
    public static final int FRAME_BYTES = FrameHeader.HEADER_LENGTH + BODY_LENGTH;

    private MemorySegment memory;
    private long offset;

    public WelcomeFrame wrap(MemorySegment memory, long bodyOffset) {
        this.memory = memory;
        this.offset = bodyOffset;
        return this;
    }

    public int version() {
        return Wire.u16(memory, offset + VERSION_OFFSET);
    }

    public long maxFrameLength() {
        return Wire.u32(memory, offset + MAX_FRAME_LENGTH_OFFSET);
    }

    public long instanceId() {
        return Wire.u64(memory, offset + INSTANCE_ID_OFFSET);
    }

    /** @return null, or MALFORMED_FRAME (wrong size) or UNSUPPORTED_VERSION */
    public static Violation check(MemorySegment memory, long bodyOffset, int bodyLength) {
        if (bodyLength != BODY_LENGTH) {
            return new Violation(ErrorCode.MALFORMED_FRAME,
                "WELCOME body must be " + BODY_LENGTH + " bytes, was " + bodyLength);
        }
        int version = Wire.u16(memory, bodyOffset + VERSION_OFFSET);
        return version == HelloFrame.VERSION ? null
            : new Violation(ErrorCode.UNSUPPORTED_VERSION, "the server speaks FWP version " + version);
    }

    /** Writes a whole WELCOME frame at {@code offset}; returns {@link #FRAME_BYTES}. */
    public static int write(MemorySegment memory, long offset, int maxFrameLength, long instanceId) {
        FrameHeader.write(memory, offset, FrameKind.WELCOME, BODY_LENGTH);
        long body = offset + FrameHeader.BODY_OFFSET;
        memory.set(Wire.U16, body + VERSION_OFFSET, (short) HelloFrame.VERSION);
        memory.set(Wire.U16, body + RESERVED_OFFSET, (short) 0);
        memory.set(Wire.U32, body + MAX_FRAME_LENGTH_OFFSET, maxFrameLength);
        memory.set(Wire.U64, body + INSTANCE_ID_OFFSET, instanceId);
        return FRAME_BYTES;
    }
}
