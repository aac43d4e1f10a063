package io.ferrite.engine.journal;

import io.ferrite.protocol.EventFrame;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The bytes of one journaled event: an engine-owned 8-byte publish stamp, then the FWP/1 EVENT
 * body exactly as it arrives on the wire (see {@link EventFrame}), then the payload. The same
 * layout is used in Chronicle Queue documents, in the MEMORY ring and in the dead-letter journal.
 *
 * <pre>
 *  0               8                                                          48
 *  +---------------+----------------------------------------------------------+-----------
 *  | publishNanos  | EVENT body: correlationId, eventId, key, timestampNanos,  | payload ...
 *  | u64 (engine)  | type u32, priority u8, 3 reserved bytes   (40 bytes)      |
 *  +---------------+----------------------------------------------------------+-----------
 * </pre>
 * {@code publishNanos} is {@link System#nanoTime()} at publish, used for publish-to-handled
 * latency within one process run; it means nothing after a restart.
 *
 * <p>Thread-safety: stateless.
 */
public final class JournalRecord {
    public static final int PUBLISH_NANOS_OFFSET = 0;
    /** Where the EVENT body (an {@link EventFrame} view) starts. */
    public static final int EVENT_OFFSET = 8;
    /** Bytes before the payload. */
    public static final int HEADER_LENGTH = EVENT_OFFSET + EventFrame.HEADER_LENGTH;

    private static final ValueLayout.OfLong U64 =
        ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private JournalRecord() {
    }

    /** Writes a record header at {@code offset}; the payload goes at {@code offset + HEADER_LENGTH}. */
    public static void writeHeader(MemorySegment memory, long offset, long publishNanos, long correlationId,
                                   long eventId, long key, long timestampNanos, int type, int priority) {
        memory.set(U64, offset + PUBLISH_NANOS_OFFSET, publishNanos);
        EventFrame.writeBody(memory, offset + EVENT_OFFSET, correlationId, eventId, key, timestampNanos, type, priority);
    }

    public static long publishNanos(MemorySegment memory, long offset) {
        return memory.get(U64, offset + PUBLISH_NANOS_OFFSET);
    }

    public static long eventId(MemorySegment memory, long offset) {
        return memory.get(U64, offset + EVENT_OFFSET + EventFrame.EVENT_ID_OFFSET);
    }
}
