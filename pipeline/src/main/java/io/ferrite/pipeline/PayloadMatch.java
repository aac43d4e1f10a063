package io.ferrite.pipeline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * A condition on a fixed-offset field of the payload, little-endian as FWP/1 is: {@code u8},
 * {@code u16}, {@code u32}, {@code i32} or {@code i64} at byte {@code at}, matched by a
 * {@link FieldMatch}. A payload too short to hold the field does not match. No allocation.
 *
 * <p>Thread-safety: immutable.
 *
 * @param at    the field's offset in the payload
 * @param width the field's type
 * @param match what its value must be
 */
public record PayloadMatch(int at, Width width, FieldMatch match) implements PayloadCondition {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The field types, with their sizes and ranges. */
    public enum Width {
        U8(1, 0, 0xFFL), U16(2, 0, 0xFFFFL), U32(4, 0, 0xFFFF_FFFFL), I32(4, Integer.MIN_VALUE, Integer.MAX_VALUE),
        I64(8, Long.MIN_VALUE, Long.MAX_VALUE);

        final int bytes;
        final long min;
        final long max;

        Width(int bytes, long min, long max) {
            this.bytes = bytes;
            this.min = min;
            this.max = max;
        }

        public String lowerCase() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Override
    public boolean matches(MemorySegment memory, long payloadOffset, int length) {
        if ((long) at + width.bytes > length) {
            return false;
        }
        long offset = payloadOffset + at;
        long value = switch (width) {
            case U8 -> Byte.toUnsignedLong(memory.get(ValueLayout.JAVA_BYTE, offset));
            case U16 -> Short.toUnsignedLong(memory.get(U16, offset));
            case U32 -> Integer.toUnsignedLong(memory.get(U32, offset));
            case I32 -> memory.get(U32, offset);
            case I64 -> memory.get(I64, offset);
        };
        return match.matches(value);
    }

    @Override
    public String toString() {
        return "payload " + width.lowerCase() + "@" + at + " " + match.describe("value");
    }
}
