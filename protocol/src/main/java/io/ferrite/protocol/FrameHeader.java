package io.ferrite.protocol;

import java.lang.foreign.MemorySegment;

/**
 * The 8 bytes every FWP/1 frame starts with. {@code length} counts what follows it (kind, flags and
 * body), so a frame takes {@code 4 + length} bytes on the wire.
 *
 * <pre>
 *  0        4      6      8
 *  +--------+------+------+------------------------------
 *  | length | kind | flags| body: length - 4 bytes, per kind
 *  | u32    | u16  | u16  |
 *  +--------+------+------+------------------------------
 * </pre>
 * {@code length} is at least {@value #MIN_LENGTH} and at most the server's maxFrameLength
 * (default {@value #DEFAULT_MAX_FRAME_LENGTH}); {@code flags} is 0 in FWP/1.
 *
 * <p>Thread-safety: not thread-safe; one flyweight per thread.
 */
public final class FrameHeader {
    public static final int LENGTH_OFFSET = 0;
    public static final int KIND_OFFSET = 4;
    public static final int FLAGS_OFFSET = 6;
    /** Where the body starts, and the size of this header. */
    public static final int BODY_OFFSET = 8;
    public static final int HEADER_LENGTH = BODY_OFFSET;
    /** Bytes of the length field itself. */
    public static final int LENGTH_FIELD_SIZE = 4;
    /** The smallest legal length value: kind and flags, no body. */
    public static final int MIN_LENGTH = 4;
    /** The default maxFrameLength, and the largest one a peer may assume without a WELCOME. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 1 << 20;

    private MemorySegment memory;
    private long offset;

    /** Views the frame starting at {@code offset}; at least its first 8 bytes must be there. */
    public FrameHeader wrap(MemorySegment memory, long offset) {
        this.memory = memory;
        this.offset = offset;
        return this;
    }

    /** The length field (unsigned): bytes after it. */
    public long length() {
        return Wire.u32(memory, offset + LENGTH_OFFSET);
    }

    public int kind() {
        return Wire.u16(memory, offset + KIND_OFFSET);
    }

    public int flags() {
        return Wire.u16(memory, offset + FLAGS_OFFSET);
    }

    /** Where the body starts within the viewed segment. */
    public long bodyOffset() {
        return offset + BODY_OFFSET;
    }

    /** Body bytes: {@code length - 4}. Call after {@link #checkLength} has passed. */
    public int bodyLength() {
        return (int) (length() - MIN_LENGTH);
    }

    /** Bytes the whole frame takes: {@code 4 + length}. */
    public long frameBytes() {
        return LENGTH_FIELD_SIZE + length();
    }

    /**
     * Checks the length field alone (it can be checked before the body has arrived).
     *
     * @return null, or MALFORMED_FRAME (below 4) or FRAME_TOO_LARGE (above {@code maxFrameLength})
     */
    public Violation checkLength(long maxFrameLength) {
        return checkLength(length(), maxFrameLength);
    }

    /** As {@link #checkLength(long)}, for a length value already read. */
    public static Violation checkLength(long length, long maxFrameLength) {
        if (length < MIN_LENGTH) {
            return new Violation(ErrorCode.MALFORMED_FRAME, "frame length " + length + " is below " + MIN_LENGTH);
        }
        if (length > maxFrameLength) {
            return new Violation(ErrorCode.FRAME_TOO_LARGE,
                "frame length " + length + " exceeds maxFrameLength " + maxFrameLength);
        }
        return null;
    }

    /** @return null, or PROTOCOL_VIOLATION for non-zero flags */
    public Violation checkFlags() {
        int flags = flags();
        return flags == 0 ? null
            : new Violation(ErrorCode.PROTOCOL_VIOLATION, "flags must be 0 in FWP/1, were " + flags);
    }

    /** Writes a header for a body of {@code bodyLength} bytes at {@code offset}; returns {@link #HEADER_LENGTH}. */
    public static int write(MemorySegment memory, long offset, int kind, int bodyLength) {
        memory.set(Wire.U32, offset + LENGTH_OFFSET, MIN_LENGTH + bodyLength);
        // kind in the low half, flags (0) in the high half of one little-endian u32
        memory.set(Wire.U32, offset + KIND_OFFSET, kind & 0xFFFF);
        return HEADER_LENGTH;
    }

    /** Bytes a frame with a body of {@code bodyLength} bytes takes on the wire. */
    public static int frameBytes(int bodyLength) {
        return HEADER_LENGTH + bodyLength;
    }

    /** The length field of the frame at {@code offset} (at least 4 bytes must be there). */
    public static long lengthAt(MemorySegment memory, long offset) {
        return Wire.u32(memory, offset + LENGTH_OFFSET);
    }
}
