package io.ferrite.protocol;

import java.lang.foreign.MemorySegment;

/**
 * The body of PING and of PONG (either direction): a PONG echoes the PING's nonce.
 *
 * <pre>
 *  0               8
 *  +---------------+
 *  | nonce         |
 *  | u64           |
 *  +---------------+
 * </pre>
 *
 * <p>Thread-safety: not thread-safe; one flyweight per thread.
 */
public final class PingFrame {
    public static final int NONCE_OFFSET = 0;
    public static final int BODY_LENGTH = 8;
    public static final int FRAME_BYTES = FrameHeader.HEADER_LENGTH + BODY_LENGTH;

    private MemorySegment memory;
    private long offset;

    public PingFrame wrap(MemorySegment memory, long bodyOffset) {
        this.memory = memory;
        this.offset = bodyOffset;
        return this;
    }

    public long nonce() {
        return Wire.u64(memory, offset + NONCE_OFFSET);
    }

    /** @return null, or MALFORMED_FRAME for a body that is not 8 bytes ({@code kind} names it in the message) */
    public static Violation check(int kind, int bodyLength) {
        return bodyLength == BODY_LENGTH ? null : new Violation(ErrorCode.MALFORMED_FRAME,
            FrameKind.name(kind) + " body must be " + BODY_LENGTH + " bytes, was " + bodyLength);
    }

    /** Writes a whole PING or PONG frame ({@code kind}) at {@code offset}; returns {@link #FRAME_BYTES}. */
    public static int write(MemorySegment memory, long offset, int kind, long nonce) {
        FrameHeader.write(memory, offset, kind, BODY_LENGTH);
        memory.set(Wire.U64, offset + FrameHeader.BODY_OFFSET + NONCE_OFFSET, nonce);
        return FRAME_BYTES;
    }
}
