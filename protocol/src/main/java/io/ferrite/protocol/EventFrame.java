package io.ferrite.protocol;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The body of an EVENT frame wherever it lies: a socket buffer, a client's outbound ring, a journal
 * record (the engine journals this body verbatim). Fields are read and written in place; one
 * flyweight is re-{@link #wrap wrapped} over event after event, so no object is made per event.
 *
 * <pre>
 *  0               8               16              24              32      36  37      40
 *  +---------------+---------------+---------------+---------------+-------+---+-------+----------
 *  | correlationId | eventId       | key           | timestampNanos| type  |pri| rsv=0 | payload ...
 *  | u64           | u64           | u64           | u64           | u32   |u8 | 3 x u8| bodyLength - 40
 *  +---------------+---------------+---------------+---------------+-------+---+-------+----------
 * </pre>
 * A whole EVENT frame is the 8-byte {@link FrameHeader}, these 40 bytes, then the payload:
 * {@value #FRAME_OVERHEAD} bytes plus the payload.
 *
 * <p>Thread-safety: not thread-safe; one flyweight per thread. The memory it views follows the
 * rules of whoever owns it.
 */
public final class EventFrame {
    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int EVENT_ID_OFFSET = 8;
    public static final int KEY_OFFSET = 16;
    public static final int TIMESTAMP_OFFSET = 24;
    public static final int TYPE_OFFSET = 32;
    public static final int PRIORITY_OFFSET = 36;
    public static final int RESERVED_OFFSET = 37;
    public static final int RESERVED_LENGTH = 3;
    /** Body bytes before the payload; the payload is every byte after them. */
    public static final int HEADER_LENGTH = 40;
    /** Bytes of a whole EVENT frame before its payload. */
    public static final int FRAME_OVERHEAD = FrameHeader.HEADER_LENGTH + HEADER_LENGTH;
    /** 0 is the highest priority, this the lowest. */
    public static final int LOWEST_PRIORITY = 3;

    private MemorySegment memory;
    private long offset;
    private long length;

    /**
     * Points this flyweight at the {@code length} body bytes at {@code offset} in {@code memory}.
     *
     * @throws IllegalArgumentException when {@code length} is shorter than {@link #HEADER_LENGTH}
     *                                  or the range lies outside {@code memory}
     */
    public EventFrame wrap(MemorySegment memory, long offset, long length) {
        if (length < HEADER_LENGTH || offset < 0 || offset + length > memory.byteSize()) {
            throw new IllegalArgumentException("event view [" + offset + ", +" + length
                + ") does not fit a " + HEADER_LENGTH + "-byte header inside a " + memory.byteSize() + "-byte segment");
        }
        this.memory = memory;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** Whether a priority value is one FWP/1 accepts (0..3); others are REJECTed INVALID_EVENT. */
    public static boolean isValidPriority(int priority) {
        return priority >= 0 && priority <= LOWEST_PRIORITY;
    }

    /**
     * Checks what a body must be before any field of it is used.
     *
     * @return null, or MALFORMED_FRAME (body shorter than 40 bytes) or PROTOCOL_VIOLATION (reserved bytes not 0)
     */
    public static Violation check(MemorySegment memory, long bodyOffset, int bodyLength) {
        if (bodyLength < HEADER_LENGTH) {
            return new Violation(ErrorCode.MALFORMED_FRAME,
                "EVENT body of " + bodyLength + " bytes is shorter than " + HEADER_LENGTH);
        }
        if (Wire.u16(memory, bodyOffset + RESERVED_OFFSET) != 0 || Wire.u8(memory, bodyOffset + RESERVED_OFFSET + 2) != 0) {
            return new Violation(ErrorCode.PROTOCOL_VIOLATION, "EVENT reserved bytes must be 0");
        }
        return null;
    }

    /**
     * Writes an EVENT frame's header and the 40 body bytes before the payload at {@code frameOffset};
     * the caller puts {@code payloadLength} bytes at {@code frameOffset + FRAME_OVERHEAD}.
     *
     * @return {@link #FRAME_OVERHEAD}
     */
    public static int writeHeader(MemorySegment memory, long frameOffset, long correlationId, long eventId, long key,
                                  long timestampNanos, int type, int priority, int payloadLength) {
        FrameHeader.write(memory, frameOffset, FrameKind.EVENT, HEADER_LENGTH + payloadLength);
        writeBody(memory, frameOffset + FrameHeader.BODY_OFFSET, correlationId, eventId, key, timestampNanos, type, priority);
        return FRAME_OVERHEAD;
    }

    /** Writes the 40 body bytes before the payload at {@code bodyOffset} (reserved bytes zero). */
    public static void writeBody(MemorySegment memory, long bodyOffset, long correlationId, long eventId, long key,
                                 long timestampNanos, int type, int priority) {
        memory.set(Wire.U64, bodyOffset + CORRELATION_ID_OFFSET, correlationId);
        memory.set(Wire.U64, bodyOffset + EVENT_ID_OFFSET, eventId);
        memory.set(Wire.U64, bodyOffset + KEY_OFFSET, key);
        memory.set(Wire.U64, bodyOffset + TIMESTAMP_OFFSET, timestampNanos);
        memory.set(Wire.U32, bodyOffset + TYPE_OFFSET, type);
        // priority byte followed by the three reserved zero bytes, as one little-endian u32
        memory.set(Wire.U32, bodyOffset + PRIORITY_OFFSET, priority & 0xFF);
    }

    public long correlationId() {
        return memory.get(Wire.U64, offset + CORRELATION_ID_OFFSET);
    }

    public EventFrame correlationId(long value) {
        memory.set(Wire.U64, offset + CORRELATION_ID_OFFSET, value);
        return this;
    }

    public long eventId() {
        return memory.get(Wire.U64, offset + EVENT_ID_OFFSET);
    }

    public EventFrame eventId(long value) {
        memory.set(Wire.U64, offset + EVENT_ID_OFFSET, value);
        return this;
    }

    public long key() {
        return memory.get(Wire.U64, offset + KEY_OFFSET);
    }

    public EventFrame key(long value) {
        memory.set(Wire.U64, offset + KEY_OFFSET, value);
        return this;
    }

    public long timestampNanos() {
        return memory.get(Wire.U64, offset + TIMESTAMP_OFFSET);
    }

    public EventFrame timestampNanos(long value) {
        memory.set(Wire.U64, offset + TIMESTAMP_OFFSET, value);
        return this;
    }

    /** The application's routing type, an unsigned 32-bit value held in an int. */
    public int type() {
        return memory.get(Wire.U32, offset + TYPE_OFFSET);
    }

    public EventFrame type(int value) {
        memory.set(Wire.U32, offset + TYPE_OFFSET, value);
        return this;
    }

    /** 0 (highest) to {@link #LOWEST_PRIORITY}; any other value is invalid on the wire. */
    public int priority() {
        return Wire.u8(memory, offset + PRIORITY_OFFSET);
    }

    public EventFrame priority(int value) {
        memory.set(ValueLayout.JAVA_BYTE, offset + PRIORITY_OFFSET, (byte) value);
        return this;
    }

    /** True when the three reserved bytes are zero, as FWP/1 requires. */
    public boolean reservedIsZero() {
        return Wire.u16(memory, offset + RESERVED_OFFSET) == 0 && Wire.u8(memory, offset + RESERVED_OFFSET + 2) == 0;
    }

    /** Zeroes the reserved bytes. */
    public EventFrame clearReserved() {
        memory.set(Wire.U16, offset + RESERVED_OFFSET, (short) 0);
        memory.set(ValueLayout.JAVA_BYTE, offset + RESERVED_OFFSET + 2, (byte) 0);
        return this;
    }

    /** Offset of the first payload byte within {@link #memory()}. */
    public long payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    public long payloadLength() {
        return length - HEADER_LENGTH;
    }

    /** Copies the payload to {@code target} at {@code targetOffset}; no heap allocation. */
    public void copyPayloadTo(MemorySegment target, long targetOffset) {
        MemorySegment.copy(memory, payloadOffset(), target, targetOffset, payloadLength());
    }

    /** The segment this flyweight currently views. */
    public MemorySegment memory() {
        return memory;
    }

    /** Offset of the body within {@link #memory()}. */
    public long offset() {
        return offset;
    }

    /** Body bytes: header plus payload. */
    public long length() {
        return length;
    }
}
