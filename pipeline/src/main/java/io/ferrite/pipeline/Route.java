package io.ferrite.pipeline;

import io.ferrite.engine.EventView;

import java.util.ArrayList;
import java.util.List;

/**
 * Which events a stage sees: conditions on the header's type, key and priority, all of which must
 * hold. Checked per event without allocating.
 *
 * <p>Thread-safety: immutable.
 *
 * @param type     the event type
 * @param key      the event key
 * @param priority the priority (0 highest)
 */
public record Route(FieldMatch type, FieldMatch key, FieldMatch priority) {
    /** Every event. */
    public static final Route ALL = new Route(FieldMatch.ANY, FieldMatch.ANY, FieldMatch.ANY);

    public boolean matches(EventView event) {
        return type.matches(event.type()) && key.matches(event.key()) && priority.matches(event.priority());
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
        return parts.isEmpty() ? "every event" : String.join(", ", parts);
    }
}
