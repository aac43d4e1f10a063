package io.ferrite.protocol;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * FWP/1's primitive encodings: little-endian unsigned integers at any alignment, and UTF-8 text.
 *
 * <p>Thread-safety: stateless.
 */
public final class Wire {
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Wire() {
    }

    public static long u64(MemorySegment memory, long offset) {
        return memory.get(U64, offset);
    }

    public static long u32(MemorySegment memory, long offset) {
        return Integer.toUnsignedLong(memory.get(U32, offset));
    }

    public static int u16(MemorySegment memory, long offset) {
        return Short.toUnsignedInt(memory.get(U16, offset));
    }

    public static int u8(MemorySegment memory, long offset) {
        return Byte.toUnsignedInt(memory.get(ValueLayout.JAVA_BYTE, offset));
    }

    /** The bytes at {@code [offset, offset + length)} as a new array (control path). */
    public static byte[] bytes(MemorySegment memory, long offset, int length) {
        byte[] bytes = new byte[length];
        MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
        return bytes;
    }

    /** The UTF-8 text at {@code [offset, offset + length)}, malformed bytes replaced (control path). */
    public static String text(MemorySegment memory, long offset, int length) {
        return new String(bytes(memory, offset, length), StandardCharsets.UTF_8);
    }

    /** Whether {@code [offset, offset + length)} is well-formed UTF-8 (control path: allocates a decoder). */
    public static boolean isUtf8(MemorySegment memory, long offset, int length) {
        ByteBuffer bytes = ByteBuffer.wrap(bytes(memory, offset, length));
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes);
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
