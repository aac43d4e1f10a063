package io.ferrite.pipeline;

import io.ferrite.engine.EventView;

import java.lang.foreign.MemorySegment;

/**
 * A condition on an event's payload: a field at a fixed offset ({@link PayloadMatch}) or a field of
 * a JSON payload ({@link JsonField}). Checked without allocating.
 *
 * <p>Thread-safety: implementations are immutable.
 */
public sealed interface PayloadCondition permits PayloadMatch, JsonField {
    /** Whether the payload in {@code memory[offset, offset + length)} satisfies it. */
    boolean matches(MemorySegment memory, long offset, int length);

    default boolean matches(EventView event) {
        return matches(event.memory(), event.payloadOffset(), event.payloadLength());
    }
}
