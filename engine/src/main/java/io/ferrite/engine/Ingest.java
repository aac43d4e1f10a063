package io.ferrite.engine;

import java.lang.foreign.MemorySegment;

/**
 * A reusable publish request for callers that relay events from elsewhere (the TCP transport):
 * fill the fields, call {@link Engine#offer(Ingest)}, read {@link #duplicate()}. One instance per
 * connection or thread; nothing is allocated per event.
 *
 * <p>Thread-safety: single-threaded.
 */
public final class Ingest {
    long correlationId;
    int type;
    long key;
    long eventId;
    long timestampNanos;
    int priority;
    MemorySegment payload;
    long payloadOffset;
    int payloadLength;
    boolean duplicate;

    /** Sets every field of the next event; {@code timestampNanos} 0 asks the engine to stamp it. */
    public Ingest set(long correlationId, int type, long key, long eventId, long timestampNanos, int priority,
                      MemorySegment payload, long payloadOffset, int payloadLength) {
        this.correlationId = correlationId;
        this.type = type;
        this.key = key;
        this.eventId = eventId;
        this.timestampNanos = timestampNanos;
        this.priority = priority;
        this.payload = payload;
        this.payloadOffset = payloadOffset;
        this.payloadLength = payloadLength;
        this.duplicate = false;
        return this;
    }

    /** True when the last offer found the eventId in the dedup window (its result is the original index). */
    public boolean duplicate() {
        return duplicate;
    }
}
