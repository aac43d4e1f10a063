package io.ferrite.pipeline;

import io.ferrite.engine.EventView;

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
 * @param priority the priority (0 highest)
 * @param payload  conditions on payload fields at fixed offsets
 */
public record Route(FieldMatch type, FieldMatch key, FieldMatch priority, List<PayloadCondition> payload) {
    /** Every event. */
    public static final Route ALL = new Route(FieldMatch.ANY, FieldMatch.ANY, FieldMatch.ANY);

    public Route {
        payload = List.copyOf(payload);
    }

    /** Header conditions only. */
    public Route(FieldMatch type, FieldMatch key, FieldMatch priority) {
        this(type, key, priority, List.of());
    }

    public boolean matches(EventView event) {
        if (!type.matches(event.type()) || !key.matches(event.key()) || !priority.matches(event.priority())) {
            return false;
        }
        for (int i = 0; i < payload.size(); i++) { // indexed: no iterator on the hot path
            if (!payload.get(i).matches(event)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (!type.isAny()) {
            parts.add("type " + type.toString().replace("x", "type"));
        }
        if (!key.isAny()) {
            parts.add("key " + key.toString().replace("x", "key"));
        }
        if (!priority.isAny()) {
            parts.add("priority " + priority.toString().replace("x", "priority"));
        }
        payload.forEach(field -> parts.add(field.toString()));
        return parts.isEmpty() ? "every event" : String.join(", ", parts);
    }
}
