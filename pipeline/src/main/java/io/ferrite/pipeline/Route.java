package io.ferrite.pipeline;

import io.ferrite.engine.EventView;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Which events a stage sees: conditions on the header's type, key and priority, and on fixed
 * payload fields, all of which must hold. Checked per event without allocating.
 *
 * <p>Thread-safety: immutable.
 *
 * @param type     the event type
 * @param key      the event key
 * @param priority  the priority (0 highest)
 * @param timestamp the event's timestamp, epoch nanoseconds (stage routes only: policies do not read it)
 * @param payload   conditions on payload fields at fixed offsets
 */
public record Route(FieldMatch type, FieldMatch key, FieldMatch priority, FieldMatch timestamp,
                    List<PayloadCondition> payload) {
    /** Every event. */
    public static final Route ALL = new Route(FieldMatch.ANY, FieldMatch.ANY, FieldMatch.ANY);

    public Route {
        payload = List.copyOf(payload);
    }

    /** Header conditions only. */
    public Route(FieldMatch type, FieldMatch key, FieldMatch priority) {
        this(type, key, priority, FieldMatch.ANY, List.of());
    }

    public boolean matches(EventView event) {
        return headerMatches(event.type(), event.key(), event.priority()) && timestamp.matches(event.timestampNanos())
            && payloadMatches(event.memory(), event.payloadOffset(), event.payloadLength());
    }

    /** The header conditions only. */
    public boolean headerMatches(int eventType, long eventKey, int eventPriority) {
        return type.matches(eventType) && key.matches(eventKey) && priority.matches(eventPriority);
    }

    /** The payload conditions only (true without any). */
    public boolean payloadMatches(MemorySegment memory, long offset, int length) {
        for (int i = 0; i < payload.size(); i++) { // indexed: no iterator on the hot path
            if (!payload.get(i).matches(memory, offset, length)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (String field : new String[] {"type", "key", "priority"}) {
            FieldMatch match = field.equals("type") ? type : field.equals("key") ? key : priority;
            if (!match.isAny()) { // "type in [1, 2]", "priority 0", "key 100 <= key <= 199"
                parts.add(field + " " + match.describe(field));
            }
        }
        if (!timestamp.isAny()) {
            parts.add("timestamp " + timestamp.describe("timestamp") + " (epoch ns)");
        }
        payload.forEach(field -> parts.add(field.toString()));
        return parts.isEmpty() ? "every event" : String.join(", ", parts);
    }
}
