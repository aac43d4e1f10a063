package io.ferrite.pipeline.actions;

import io.ferrite.engine.EventView;

import java.lang.foreign.MemorySegment;

/**
 * One event's copy while its actions run, and how many of them are still running.
 *
 * <p>Thread-safety: filled by the stage thread before it is queued (a release); afterwards read
 * and changed by the executor thread only.
 */
final class ActionEvent {
    final long sequence;
    final long index;
    /** The whole journal record, copied: the actions outlive the stage's call. */
    final byte[] record;
    final long eventId;
    final long key;
    final int type;
    final int priority;
    final long timestampNanos;
    /** Executor thread: actions not yet finished (done or dead-lettered). */
    int pending;
    private EventView view;

    ActionEvent(long sequence, long index, EventView event, int actions) {
        this.sequence = sequence;
        this.index = index;
        this.record = new byte[(int) event.recordLength()];
        MemorySegment.copy(event.memory(), event.recordOffset(), MemorySegment.ofArray(record), 0, record.length);
        this.eventId = event.eventId();
        this.key = event.key();
        this.type = event.type();
        this.priority = event.priority();
        this.timestampNanos = event.timestampNanos();
        this.pending = actions;
    }

    /** Executor thread: a view over the copy (for the engine's latency and dead letters). */
    EventView view() {
        if (view == null) {
            view = new EventView().wrap(MemorySegment.ofArray(record), 0, record.length);
        }
        return view;
    }

    /** The payload's bytes. */
    byte[] payload() {
        EventView event = view();
        byte[] payload = new byte[event.payloadLength()];
        MemorySegment.copy(event.memory(), event.payloadOffset(), MemorySegment.ofArray(payload), 0, payload.length);
        return payload;
    }
}
