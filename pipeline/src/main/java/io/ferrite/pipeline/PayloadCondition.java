package io.ferrite.pipeline;

import io.ferrite.engine.EventView;

/**
 * A condition on an event's payload: a field at a fixed offset ({@link PayloadMatch}) or a field of
 * a JSON payload ({@link JsonField}). Checked without allocating.
 *
 * <p>Thread-safety: implementations are immutable.
 */
public sealed interface PayloadCondition permits PayloadMatch, JsonField {
    boolean matches(EventView event);
}
