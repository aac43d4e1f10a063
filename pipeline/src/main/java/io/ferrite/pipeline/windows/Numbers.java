package io.ferrite.pipeline.windows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads a JSON number from memory without making a String: sign, digits, fraction, exponent.
 *
 * <p>Thread-safety: stateless.
 */
final class Numbers {
    private Numbers() {
    }

    /** The number starting at {@code at} (before {@code end}), or NaN when there is none there. */
    static double parse(MemorySegment memory, long at, long end) {
        boolean negative = at < end && memory.get(ValueLayout.JAVA_BYTE, at) == '-';
        long i = negative ? at + 1 : at;
        long mantissa = 0;
        int digits = 0;
        int scale = 0;
        boolean fraction = false;
        for (; i < end; i++) {
            byte b = memory.get(ValueLayout.JAVA_BYTE, i);
            if (b >= '0' && b <= '9') {
                if (digits < 18) {
                    mantissa = mantissa * 10 + (b - '0');
                    digits++;
                    if (fraction) {
                        scale--;
                    }
                } else if (!fraction) {
                    scale++; // past 18 digits: keep the magnitude
                }
            } else if (b == '.' && !fraction) {
                fraction = true;
            } else {
                break;
            }
        }
        if (digits == 0) {
            return Double.NaN;
        }
        if (i < end && (memory.get(ValueLayout.JAVA_BYTE, i) == 'e' || memory.get(ValueLayout.JAVA_BYTE, i) == 'E')) {
            i++;
            boolean negativeExponent = i < end && memory.get(ValueLayout.JAVA_BYTE, i) == '-';
            if (i < end && (memory.get(ValueLayout.JAVA_BYTE, i) == '-' || memory.get(ValueLayout.JAVA_BYTE, i) == '+')) {
                i++;
            }
            int exponent = 0;
            for (; i < end && memory.get(ValueLayout.JAVA_BYTE, i) >= '0' && memory.get(ValueLayout.JAVA_BYTE, i) <= '9'; i++) {
                exponent = Math.min(400, exponent * 10 + (memory.get(ValueLayout.JAVA_BYTE, i) - '0'));
            }
            scale += negativeExponent ? -exponent : exponent;
        }
        double value = scale >= 0 ? mantissa * Math.pow(10, scale) : mantissa / Math.pow(10, -scale);
        return negative ? -value : value;
    }
}
