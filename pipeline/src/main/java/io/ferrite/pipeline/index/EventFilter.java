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

    /** Whether {@code memory[offset, offset + length)} holds the bytes of {@code value} anywhere. */
    private static boolean contains(MemorySegment memory, long offset, int length, byte[] value) {
        if (value.length == 0) {
            return true;
        }
        byte first = value[0];
        long last = offset + length - value.length;
        for (long at = offset; at <= last; at++) {
            if (memory.get(ValueLayout.JAVA_BYTE, at) == first) {
                int i = 1;
                while (i < value.length && memory.get(ValueLayout.JAVA_BYTE, at + i) == value[i]) {
                    i++;
                }
                if (i == value.length) {
                    return true;
                }
            }
        }
        return false;
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
