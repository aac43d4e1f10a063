package io.ferrite.pipeline.index;

import io.ferrite.engine.EventMarks;
import io.ferrite.engine.EventView;
import io.ferrite.pipeline.JsonField;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Query} tested on one event, for what the index cannot answer: the events after its
 * sets, and payload fields it does not index. A tag is one of the pipeline's (its bit in the
 * journaled marks) or {@code FIELD=VALUE} of a payload field.
 *
 * <p>Thread-safety: single-threaded (reuses its scratch).
 */
final class EventFilter {
    private final Query query;
    private final List<String> tagBits;
    /** Per condition on the payload: the field and the value it must have. */
    private final JsonField[] fields;
    private final byte[][] values;
    private final int tagMask;
    private final boolean impossible;

    /** @param tagBits the pipeline's tag names by bit (the index's meta) */
    EventFilter(Query query, List<String> tagBits) {
        this.query = query;
        this.tagBits = tagBits;
        List<JsonField> located = new ArrayList<>();
        List<byte[]> wanted = new ArrayList<>();
        int mask = 0;
        boolean never = false;
        for (String tag : query.tags()) {
            int bit = tagBits.indexOf(tag);
            int equals = tag.indexOf('=');
            if (bit >= 0) {
                mask |= 1 << bit;
            } else if (equals > 0) {
                located.add(JsonField.locator(tag.substring(0, equals)));
                wanted.add(tag.substring(equals + 1).getBytes(StandardCharsets.UTF_8));
            } else {
                never = true; // a tag no policy gives: no event has it
            }
        }
        for (Query.FieldEquals field : query.fields()) {
            located.add(JsonField.locator(field.path()));
            wanted.add(field.value().getBytes(StandardCharsets.UTF_8));
        }
        this.fields = located.toArray(JsonField[]::new);
        this.values = wanted.toArray(byte[][]::new);
        this.tagMask = mask;
        this.impossible = never;
    }

    boolean matches(EventView event) {
        if (impossible || query.type() != null && event.type() != query.type()
            || query.key() != null && event.key() != query.key()
            || event.timestampNanos() < query.from() || event.timestampNanos() > query.to()
            || (EventMarks.tags(event.marks()) & tagMask) != tagMask) {
            return false;
        }
        for (int i = 0; i < fields.length; i++) {
            if (!fieldEquals(event, fields[i], values[i])) {
                return false;
            }
        }
        return true;
    }

    /** Only the time condition (for events the index found by everything else). */
    boolean inTime(long timestampNanos) {
        return timestampNanos >= query.from() && timestampNanos <= query.to();
    }

    private static boolean fieldEquals(EventView event, JsonField field, byte[] value) {
        MemorySegment memory = event.memory();
        long offset = event.payloadOffset();
        int length = event.payloadLength();
        if (!contains(memory, offset, length, value)) {
            return false; // most events do not even hold the value's bytes: no JSON to walk
        }
        long start = field.valueStart(memory, offset, length);
        if (start < 0) {
            return false;
        }
        long stop = JsonField.valueEnd(memory, start, offset + length);
        if (stop > start && memory.get(ValueLayout.JAVA_BYTE, start) == '"') {
            start++;
            stop--;
        }
        if (stop - start != value.length) {
            return false;
        }
        for (int i = 0; i < value.length; i++) {
            if (memory.get(ValueLayout.JAVA_BYTE, start + i) != value[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code memory[offset, offset + length)} holds the bytes of {@code value} anywhere:
     * eight bytes at a time, looking for the value's first byte with the "has zero byte" trick on
     * the word XORed with that byte repeated, and comparing in full only where it is.
     */
    private static boolean contains(MemorySegment memory, long offset, int length, byte[] value) {
        if (value.length == 0) {
            return true;
        }
        long last = offset + length - value.length; // the last place the value could start
        long pattern = (value[0] & 0xFFL) * 0x0101010101010101L;
        long at = offset;
        for (; at + Long.BYTES <= offset + length; at += Long.BYTES) {
            long word = memory.get(ValueLayout.JAVA_LONG_UNALIGNED, at) ^ pattern; // little-endian: byte i in bits 8i
            long zeros = (word - 0x0101010101010101L) & ~word & 0x8080808080808080L;
            while (zeros != 0) {
                long start = at + (Long.numberOfTrailingZeros(zeros) >>> 3);
                if (start <= last && equalsAt(memory, start, value)) {
                    return true;
                }
                zeros &= zeros - 1;
            }
        }
        for (; at <= last; at++) {
            if (memory.get(ValueLayout.JAVA_BYTE, at) == value[0] && equalsAt(memory, at, value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean equalsAt(MemorySegment memory, long at, byte[] value) {
        for (int i = 1; i < value.length; i++) {
            if (memory.get(ValueLayout.JAVA_BYTE, at + i) != value[i]) {
                return false;
            }
        }
        return true;
    }

    /** The tags of {@code event} its marks carry, by name (for the output). */
    List<String> markTags(EventView event) {
        List<String> names = new ArrayList<>();
        int tags = EventMarks.tags(event.marks());
        while (tags != 0) {
            int bit = Integer.numberOfTrailingZeros(tags);
            tags &= tags - 1;
            if (bit < tagBits.size() && !tagBits.get(bit).startsWith("->")) {
                names.add(tagBits.get(bit));
            }
        }
        return names;
    }
}
