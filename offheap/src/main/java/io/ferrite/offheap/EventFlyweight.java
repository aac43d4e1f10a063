package io.ferrite.offheap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A view over the body of an FWP/1 EVENT frame (PROTOCOL.md) wherever it lies: a Netty buffer's
 * memory, a slab slot, a journal record. All fields little-endian, read and written in place;
 * one flyweight is re-{@link #wrap wrapped} over event after event, so no object is made per event.
 *
 * <pre>
 *  0               8               16              24              32      36  37      40
 *  +---------------+---------------+---------------+---------------+-------+---+-------+----------
 *  | correlationId | eventId       | key           | timestampNanos| type  |pri| rsv=0 | payload ...
 *  | u64           | u64           | u64           | u64           | u32   |u8 | 3 x u8| length - 40
 *  +---------------+---------------+---------------+---------------+-------+---+-------+----------
 * </pre>
 *
 * <p>Thread-safety: not thread-safe; one flyweight per thread. The memory it views follows the
 * rules of whoever owns it.
 */
public final class EventFlyweight {
    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int EVENT_ID_OFFSET = 8;
    public static final int KEY_OFFSET = 16;
    public static final int TIMESTAMP_OFFSET = 24;
    public static final int TYPE_OFFSET = 32;
    public static final int PRIORITY_OFFSET = 36;
    public static final int RESERVED_OFFSET = 37;
    public static final int RESERVED_LENGTH = 3;
    /** Bytes before the payload; the payload is every byte after them. */
    public static final int HEADER_LENGTH = 40;
    /** Lowest priority value allowed (0 is the highest priority). */
    public static final int LOWEST_PRIORITY = 3;

    private static final ValueLayout.OfLong U64 =
        ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 =
        ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private MemorySegment memory;
    private long offset;
    private long length;

    /**
     * Points this flyweight at the {@code length} bytes at {@code offset} in {@code memory}.
     *
     * @throws IllegalArgumentException when {@code length} is shorter than {@link #HEADER_LENGTH}
     *                                  or the range lies outside {@code memory}
     */
    public EventFlyweight wrap(MemorySegment memory, long offset, long length) {
        if (length < HEADER_LENGTH || offset < 0 || offset + length > memory.byteSize()) {
            throw new IllegalArgumentException("event view [" + offset + ", +" + length
                + ") does not fit a " + HEADER_LENGTH + "-byte header inside a " + memory.byteSize() + "-byte segment");
        }
        this.memory = memory;
        this.offset = offset;
        this.length = length;
        return this;
    }

    public long correlationId() {
        return memory.get(U64, offset + CORRELATION_ID_OFFSET);
    }

    public EventFlyweight correlationId(long value) {
        memory.set(U64, offset + CORRELATION_ID_OFFSET, value);
        return this;
    }

    public long eventId() {
        return memory.get(U64, offset + EVENT_ID_OFFSET);
    }

    public EventFlyweight eventId(long value) {
        memory.set(U64, offset + EVENT_ID_OFFSET, value);
        return this;
    }

    public long key() {
        return memory.get(U64, offset + KEY_OFFSET);
    }

    public EventFlyweight key(long value) {
        memory.set(U64, offset + KEY_OFFSET, value);
        return this;
    }

    public long timestampNanos() {
        return memory.get(U64, offset + TIMESTAMP_OFFSET);
    }

    public EventFlyweight timestampNanos(long value) {
        memory.set(U64, offset + TIMESTAMP_OFFSET, value);
        return this;
    }

    /** The application's routing type, an unsigned 32-bit value held in an int. */
    public int type() {
        return memory.get(U32, offset + TYPE_OFFSET);
    }

    public EventFlyweight type(int value) {
        memory.set(U32, offset + TYPE_OFFSET, value);
        return this;
    }

    /** 0 (highest) to {@link #LOWEST_PRIORITY}; any other value is invalid on the wire. */
    public int priority() {
        return Byte.toUnsignedInt(memory.get(ValueLayout.JAVA_BYTE, offset + PRIORITY_OFFSET));
    }

    public EventFlyweight priority(int value) {
        memory.set(ValueLayout.JAVA_BYTE, offset + PRIORITY_OFFSET, (byte) value);
        return this;
    }

    /** True when the three reserved bytes are zero, as FWP/1 requires. */
    public boolean reservedIsZero() {
        return memory.get(U16, offset + RESERVED_OFFSET) == 0
            && memory.get(ValueLayout.JAVA_BYTE, offset + RESERVED_OFFSET + 2) == 0;
    }

    /** Zeroes the reserved bytes. */
    public EventFlyweight clearReserved() {
        memory.set(U16, offset + RESERVED_OFFSET, (short) 0);
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

    /** Offset of the header within {@link #memory()}. */
    public long offset() {
        return offset;
    }

    /** Header plus payload bytes. */
    public long length() {
        return length;
    }
}
