package io.ferrite.pipeline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A condition on a field of a JSON payload, found by a dotted path of object keys
 * ({@code customer.tier}): its value must be one of some strings, or a whole number matched by a
 * {@link FieldMatch}. The payload is scanned in place — no parse tree, no allocation; keys and
 * strings are compared as written (a key or value spelled with escapes does not match its
 * unescaped form). A payload that is not JSON, or lacks the field, does not match.
 *
 * <p>Thread-safety: immutable.
 */
public final class JsonField implements PayloadCondition {
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private final String path;
    private final byte[][] keys;
    private final byte[][] strings;
    private final FieldMatch number;

    private JsonField(String path, byte[][] strings, FieldMatch number) {
        this.path = path;
        this.keys = Arrays.stream(path.split("\\.")).map(k -> k.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        this.strings = strings;
        this.number = number;
    }

    /** The field at {@code path} must be one of {@code values} (JSON strings). */
    public static JsonField oneOf(String path, List<String> values) {
        return new JsonField(path, values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new),
            null);
    }

    /** The field at {@code path} must be a whole number matched by {@code match}. */
    public static JsonField number(String path, FieldMatch match) {
        return new JsonField(path, null, match);
    }

    /** A field to read rather than match: {@link #valueStart} and {@link #valueEnd} find its value. */
    public static JsonField locator(String path) {
        return new JsonField(path, null, null);
    }

    /** Where the value of this field starts in the JSON in {@code memory[offset, offset + length)}, or -1. */
    public long valueStart(MemorySegment memory, long offset, int length) {
        long end = offset + length;
        long at = skipSpace(memory, offset, end);
        for (int depth = 0; depth < keys.length; depth++) {
            at = valueOfKey(memory, at, end, keys[depth]);
            if (at < 0) {
                return -1;
            }
        }
        return at < end ? at : -1;
    }

    /** Just past the value that starts at {@code at} (trailing spaces left out), or -1 when it is cut short. */
    public static long valueEnd(MemorySegment memory, long at, long end) {
        long past = skipValue(memory, at, end);
        while (past > at && (memory.get(BYTE, past - 1) == ' ' || memory.get(BYTE, past - 1) == '\n'
            || memory.get(BYTE, past - 1) == '\r' || memory.get(BYTE, past - 1) == '\t')) {
            past--;
        }
        return past;
    }

    /** Whether the JSON in {@code memory[offset, offset + length)} has the field with a matching value. */
    @Override
    public boolean matches(MemorySegment memory, long offset, int length) {
        long at = valueStart(memory, offset, length);
        if (at < 0) {
            return false;
        }
        long end = offset + length;
        return strings != null ? stringMatches(memory, at, end) : numberMatches(memory, at, end);
    }

    /** In the object at {@code at}, where the value of {@code key} starts, or -1. */
    private static long valueOfKey(MemorySegment m, long at, long end, byte[] key) {
        if (at >= end || m.get(BYTE, at) != '{') {
            return -1;
        }
        at = skipSpace(m, at + 1, end);
        while (at < end && m.get(BYTE, at) == '"') {
            long keyStart = at + 1;
            long keyEnd = stringEnd(m, keyStart, end);
            if (keyEnd < 0) {
                return -1;
            }
            at = skipSpace(m, keyEnd + 1, end);
            if (at >= end || m.get(BYTE, at) != ':') {
                return -1;
            }
            at = skipSpace(m, at + 1, end);
            if (equals(m, keyStart, keyEnd, key)) {
                return at;
            }
            at = skipValue(m, at, end);
            if (at < 0) {
                return -1;
            }
            at = skipSpace(m, at, end);
            if (at < end && m.get(BYTE, at) == ',') {
                at = skipSpace(m, at + 1, end);
            }
        }
        return -1;
    }

    /** Past the value at {@code at}: a string, or anything up to its matching bracket or the next ',', '}' or ']'. */
    private static long skipValue(MemorySegment m, long at, long end) {
        int depth = 0;
        while (at < end) {
            byte b = m.get(BYTE, at);
            if (b == '"') {
                at = stringEnd(m, at + 1, end);
                if (at < 0) {
                    return -1;
                }
                at++;
                if (depth == 0) {
                    return at;
                }
                continue;
            }
            if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                if (depth == 0) {
                    return at;
                }
                depth--;
                if (depth == 0) {
                    return at + 1;
                }
            } else if (b == ',' && depth == 0) {
                return at;
            }
            at++;
        }
        return depth == 0 ? at : -1;
    }

    /** The index of the closing quote of the string whose content starts at {@code at}, or -1. */
    private static long stringEnd(MemorySegment m, long at, long end) {
        while (at < end) {
            byte b = m.get(BYTE, at);
            if (b == '\\') {
                at += 2;
            } else if (b == '"') {
                return at;
            } else {
                at++;
            }
        }
        return -1;
    }

    private boolean stringMatches(MemorySegment m, long at, long end) {
        if (at >= end || m.get(BYTE, at) != '"') {
            return false;
        }
        long valueEnd = stringEnd(m, at + 1, end);
        if (valueEnd < 0) {
            return false;
        }
        for (byte[] candidate : strings) {
            if (equals(m, at + 1, valueEnd, candidate)) {
                return true;
            }
        }
        return false;
    }

    private boolean numberMatches(MemorySegment m, long at, long end) {
        boolean negative = at < end && m.get(BYTE, at) == '-';
        long i = negative ? at + 1 : at;
        long value = 0;
        int digits = 0;
        while (i < end) {
            byte b = m.get(BYTE, i);
            if (b < '0' || b > '9') {
                if (b == '.' || b == 'e' || b == 'E') {
                    return false; // not a whole number
                }
                break;
            }
            if (digits++ > 18) {
                return false; // beyond a long
            }
            value = value * 10 + (b - '0');
            i++;
        }
        return digits > 0 && number.matches(negative ? -value : value);
    }

    private static boolean equals(MemorySegment m, long from, long to, byte[] expected) {
        if (to - from != expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (m.get(BYTE, from + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static long skipSpace(MemorySegment m, long at, long end) {
        while (at < end) {
            byte b = m.get(BYTE, at);
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return at;
            }
            at++;
        }
        return at;
    }

    public String path() {
        return path;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof JsonField f && f.path.equals(path) && Arrays.deepEquals(f.strings, strings)
            && Objects.equals(f.number, number);
    }

    @Override
    public int hashCode() {
        return path.hashCode() * 31 + Arrays.deepHashCode(strings);
    }

    @Override
    public String toString() {
        return "json " + path + (strings != null ? " in " + Arrays.stream(strings)
            .map(s -> new String(s, StandardCharsets.UTF_8)).toList() : " " + number.describe("value"));
    }
}
