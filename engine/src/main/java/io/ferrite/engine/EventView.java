package io.ferrite.engine;

import io.ferrite.engine.journal.JournalRecord;
import io.ferrite.protocol.EventFrame;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A read-only flyweight over one journaled event, handed to {@link EventHandler#onEvent}. Valid
 * only during that call; the engine re-wraps the same instance for the next event.
 *
 * <p>Thread-safety: confined to the thread that owns it (the stage thread, or a
 * {@link DeferredHandler}'s own thread for the views it wraps over its copies).
 */
public final class EventView {
    private final EventFrame event = new EventFrame();
    private MemorySegment memory;
    private long recordOffset;

    /** Engine use: points this view at a record (see {@link JournalRecord}). */
    public EventView wrap(MemorySegment memory, long recordOffset, long recordLength) {
        this.memory = memory;
        this.recordOffset = recordOffset;
        event.wrap(memory, recordOffset + JournalRecord.EVENT_OFFSET, recordLength - JournalRecord.EVENT_OFFSET);
        return this;
    }

    public long eventId() {
        return event.eventId();
    }

    public long key() {
        return event.key();
    }

    /** Epoch nanoseconds at the producer (or at the engine when the producer sent 0). */
    public long timestampNanos() {
        return event.timestampNanos();
    }

    public int type() {
        return event.type();
    }

    /** 0 (highest) to 3. */
    public int priority() {
        return event.priority();
    }

    /** The client's correlationId for events that came over TCP; 0 for embedded publishes. */
    public long correlationId() {
        return event.correlationId();
    }

    /** What the server's admission policy attached to it ({@link EventMarks}); 0 for none. */
    public int marks() {
        return EventMarks.read(memory, recordOffset + JournalRecord.EVENT_OFFSET);
    }

    /** {@link System#nanoTime()} when the event was published in this process run. */
    public long publishNanos() {
        return JournalRecord.publishNanos(memory, recordOffset);
    }

    public int payloadLength() {
        return (int) event.payloadLength();
    }

    /** The segment the payload lives in; read it at {@link #payloadOffset()}. */
    public MemorySegment memory() {
        return memory;
    }

    public long payloadOffset() {
        return event.payloadOffset();
    }

    public byte payloadByte(int index) {
        return memory.get(ValueLayout.JAVA_BYTE, event.payloadOffset() + index);
    }

    public long payloadLong(int index) {
        return memory.get(ValueLayout.JAVA_LONG_UNALIGNED, event.payloadOffset() + index);
    }

    /** Copies the payload out; no heap allocation. */
    public void copyPayloadTo(MemorySegment target, long targetOffset) {
        event.copyPayloadTo(target, targetOffset);
    }

    /**
     * Where the whole record starts in {@link #memory()}: with {@link #recordLength()}, the bytes to
     * copy to keep the event past this call (a copy can be wrapped again with {@link #wrap}).
     */
    public long recordOffset() {
        return recordOffset;
    }

    /** The whole record's length: the engine's header, the event header and the payload. */
    public long recordLength() {
        return JournalRecord.EVENT_OFFSET + event.length();
    }
}
