package io.ferrite.pipeline.index;

import io.ferrite.pipeline.JsonField;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tags from payload fields: for each field the pipeline names ({@code customer.tier}), the value
 * in an event's JSON payload becomes the tag {@code customer.tier=gold} (a string without its
 * quotes; a number or a literal as written). Each field keeps a dictionary of the values it has
 * seen, so a value seen before costs a hash and a comparison, no allocation; a field with more
 * than {@link #MAX_VALUES} values stops adding new ones (a key-like field is no tag) and counts
 * the events it left untagged.
 *
 * <p>Thread-safety: single-threaded (the index stage).
 */
final class FieldTags {
    static final int MAX_VALUES = 4_096;
    private static final int MAX_VALUE_BYTES = 128;

    private final List<String> paths;
    private final JsonField[] fields;
    private final Dictionary[] dictionaries;
    private long untagged;

    FieldTags(List<String> paths) {
        this.paths = List.copyOf(paths);
        this.fields = paths.stream().map(JsonField::locator).toArray(JsonField[]::new);
        this.dictionaries = new Dictionary[fields.length];
        for (int i = 0; i < fields.length; i++) {
            dictionaries[i] = new Dictionary(paths.get(i));
        }
    }

    List<String> paths() {
        return paths;
    }

    /** Hands each tag the payload at {@code memory[offset, offset + length)} has to {@code tags}. */
    void tagsOf(MemorySegment memory, long offset, int length, Consumer<String> tags) {
        long end = offset + length;
        for (int i = 0; i < fields.length; i++) {
            long start = fields[i].valueStart(memory, offset, length);
            if (start < 0) {
                continue;
            }
            long stop = JsonField.valueEnd(memory, start, end);
            if (stop <= start) {
                continue;
            }
            if (memory.get(ValueLayout.JAVA_BYTE, start) == '"') { // a string: its content
                start++;
                stop--;
            }
            String tag = stop - start > MAX_VALUE_BYTES ? null : dictionaries[i].tagFor(memory, start, (int) (stop - start));
            if (tag != null) {
                tags.accept(tag);
            } else {
                untagged++;
            }
        }
    }

    /** Field values not made tags (too long, or a field past its count of values). */
    long untagged() {
        return untagged;
    }

    /** One field's values: open addressing on an FNV-1a hash of the value's bytes. */
    private static final class Dictionary {
        private final String prefix;
        private long[] hashes = new long[64];
        private byte[][] values = new byte[64][];
        private String[] tags = new String[64];
        private int size;

        Dictionary(String path) {
            this.prefix = path + "=";
        }

        String tagFor(MemorySegment memory, long start, int length) {
            long hash = 0xcbf29ce484222325L;
            for (int i = 0; i < length; i++) {
                hash = (hash ^ memory.get(ValueLayout.JAVA_BYTE, start + i)) * 0x100000001b3L;
            }
            int mask = hashes.length - 1;
            int slot = (int) (hash ^ (hash >>> 32)) & mask;
            while (values[slot] != null) {
                if (hashes[slot] == hash && same(values[slot], memory, start, length)) {
                    return tags[slot];
                }
                slot = (slot + 1) & mask;
            }
            if (size >= MAX_VALUES) {
                return null;
            }
            byte[] value = new byte[length]; // a value seen for the first time
            MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, start, value, 0, length);
            hashes[slot] = hash;
            values[slot] = value;
            tags[slot] = prefix + new String(value, StandardCharsets.UTF_8);
            if (++size * 2 > hashes.length) {
                grow();
            }
            return tags[slot];
        }

        private static boolean same(byte[] value, MemorySegment memory, long start, int length) {
            if (value.length != length) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (value[i] != memory.get(ValueLayout.JAVA_BYTE, start + i)) {
                    return false;
                }
            }
            return true;
        }

        private void grow() {
            long[] oldHashes = hashes;
            byte[][] oldValues = values;
            String[] oldTags = tags;
            hashes = new long[oldHashes.length * 2];
            values = new byte[oldHashes.length * 2][];
            tags = new String[oldHashes.length * 2];
            int mask = hashes.length - 1;
            for (int i = 0; i < oldHashes.length; i++) {
                if (oldValues[i] != null) {
                    int slot = (int) (oldHashes[i] ^ (oldHashes[i] >>> 32)) & mask;
                    while (values[slot] != null) {
                        slot = (slot + 1) & mask;
                    }
                    hashes[slot] = oldHashes[i];
                    values[slot] = oldValues[i];
                    tags[slot] = oldTags[i];
                }
            }
        }

        @Override
        public String toString() {
            return prefix + Arrays.toString(tags);
        }
    }
}
