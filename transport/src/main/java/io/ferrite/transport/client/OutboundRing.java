package io.ferrite.transport.client;

import io.ferrite.offheap.EventFlyweight;
import io.ferrite.transport.protocol.Frames;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * The client's outbound buffer and resend buffer in one: EVENT frames, encoded little-endian
 * straight into off-heap memory, stay here from {@link #append} until the ACK that covers them
 * {@link #release releases} them. Positions are byte counts since the start that only grow:
 *
 * <pre>
 *        head                     sent                       tail
 *  ... --+------------------------+--------------------------+-- free --> (wraps at capacity)
 *        | written, not yet ACKed | encoded, not yet written |
 * </pre>
 *
 * A frame that runs past the end of the ring is encoded contiguously into an overflow area after
 * it and its tail is then copied to the ring's start, so encoding never splits a field. The end
 * position of every frame is kept in a ring indexed by correlationId, so that ACK(c) releases up
 * to the end of frame c in O(1).
 *
 * <p>Thread-safety: single producer (the publisher thread: {@link #append}); single releaser
 * (the reader thread: {@link #release}); {@link #writeTo} and {@link #rewind} under the client's
 * write lock. Orderings as in the package javadoc.
 */
final class OutboundRing {
    /** Bytes of an EVENT frame before its payload: length field, kind, flags, EVENT header. */
    static final int EVENT_FRAME_OVERHEAD = Frames.BODY_OFFSET + Frames.EVENT_HEADER_LENGTH;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** kind EVENT in the low half, flags 0 in the high half, read as one u32 little-endian. */
    private static final int EVENT_KIND_AND_FLAGS = Frames.EVENT;
    private static final int TYPE_AT = Frames.BODY_OFFSET + EventFlyweight.TYPE_OFFSET;
    /** priority u8 then 3 reserved zero bytes, written as one u32. */
    private static final int PRIORITY_AT = Frames.BODY_OFFSET + EventFlyweight.PRIORITY_OFFSET;

    private static final VarHandle HEAD;
    private static final VarHandle ACKED;
    private static final VarHandle PUBLISHED_TAIL;
    private static final VarHandle PUBLISHED_CORRELATION_ID;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(OutboundRing.class, "head", long.class);
            ACKED = lookup.findVarHandle(OutboundRing.class, "ackedCorrelationId", long.class);
            PUBLISHED_TAIL = lookup.findVarHandle(OutboundRing.class, "publishedTail", long.class);
            PUBLISHED_CORRELATION_ID = lookup.findVarHandle(OutboundRing.class, "publishedCorrelationId", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MemorySegment memory;
    /** The same memory as a ByteBuffer, for socket writes (position/limit only, under the write lock). */
    private final ByteBuffer writeView;
    private final int capacity;
    private final int mask;
    private final int maxFrameBytes;
    private final long[] frameEnds;
    private final int slotMask;

    // Producer-owned.
    private long tail;
    private long nextCorrelationId = 1;
    private long headCache;
    private long ackedCache;

    // Written by the producer (release), read by the flusher and the reader (acquire).
    private long publishedTail;
    private long publishedCorrelationId;

    // Written by the reader: head with release, ackedCorrelationId volatile; read with acquire.
    private long head;
    private long ackedCorrelationId;

    // Guarded by the client's write lock.
    private long sent;

    /**
     * @param capacity      ring bytes, a power of two
     * @param maxInFlight   most un-ACKed frames, a power of two
     * @param maxFrameBytes largest whole frame (length field included) append may take
     */
    OutboundRing(int capacity, int maxInFlight, int maxFrameBytes) {
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxFrameBytes = Math.min(maxFrameBytes, capacity);
        ByteBuffer buffer = ByteBuffer.allocateDirect(capacity + this.maxFrameBytes);
        this.memory = MemorySegment.ofBuffer(buffer);
        this.writeView = buffer.duplicate();
        this.frameEnds = new long[maxInFlight];
        this.slotMask = maxInFlight - 1;
    }

    int slots() {
        return frameEnds.length;
    }

    /** The largest whole frame this ring takes. */
    int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Producer: the correlationId the next successful append returns. */
    long nextCorrelationId() {
        return nextCorrelationId;
    }

    /**
     * Producer: encodes one EVENT frame. Returns its correlationId, or
     * {@link ClientResult#BACK_PRESSURED} when the window (bytes or events) is full, or
     * {@link ClientResult#INVALID_ARGUMENT} when the frame exceeds {@code frameLimit} bytes.
     */
    long append(long eventId, long key, long timestampNanos, int type, int priority,
                MemorySegment payload, long payloadOffset, int length, int frameLimit) {
        long at = claim(length, frameLimit);
        if (at < 0) {
            return at;
        }
        MemorySegment.copy(payload, payloadOffset, memory, (at & mask) + EVENT_FRAME_OVERHEAD, length);
        return commit(at, eventId, key, timestampNanos, type, priority, length);
    }

    /** Producer: as the segment form, with the payload in a byte array. */
    long append(long eventId, long key, long timestampNanos, int type, int priority,
                byte[] payload, int payloadOffset, int length, int frameLimit) {
        long at = claim(length, frameLimit);
        if (at < 0) {
            return at;
        }
        MemorySegment.copy(payload, payloadOffset, memory, ValueLayout.JAVA_BYTE,
            (at & mask) + EVENT_FRAME_OVERHEAD, length);
        return commit(at, eventId, key, timestampNanos, type, priority, length);
    }

    /** Room for a frame with {@code length} payload bytes: its start position, or a negative code. */
    private long claim(int length, int frameLimit) {
        if (length < 0) {
            return ClientResult.INVALID_ARGUMENT;
        }
        long frameBytes = (long) EVENT_FRAME_OVERHEAD + length;
        if (frameBytes > maxFrameBytes || frameBytes > frameLimit) {
            return ClientResult.INVALID_ARGUMENT;
        }
        long correlationId = nextCorrelationId;
        if (correlationId - ackedCache > frameEnds.length) {
            ackedCache = (long) ACKED.getAcquire(this);
            if (correlationId - ackedCache > frameEnds.length) {
                return ClientResult.BACK_PRESSURED;
            }
        }
        if (tail + frameBytes - headCache > capacity) {
            headCache = (long) HEAD.getAcquire(this);
            if (tail + frameBytes - headCache > capacity) {
                return ClientResult.BACK_PRESSURED;
            }
        }
        return tail;
    }

    private long commit(long at, long eventId, long key, long timestampNanos, int type, int priority, int length) {
        long correlationId = nextCorrelationId;
        int frameBytes = EVENT_FRAME_OVERHEAD + length;
        long index = at & mask;
        memory.set(U32, index + Frames.LENGTH_OFFSET, frameBytes - Frames.LENGTH_FIELD_SIZE);
        memory.set(U32, index + Frames.KIND_OFFSET, EVENT_KIND_AND_FLAGS);
        long body = index + Frames.BODY_OFFSET;
        memory.set(U64, body + EventFlyweight.CORRELATION_ID_OFFSET, correlationId);
        memory.set(U64, body + EventFlyweight.EVENT_ID_OFFSET, eventId);
        memory.set(U64, body + EventFlyweight.KEY_OFFSET, key);
        memory.set(U64, body + EventFlyweight.TIMESTAMP_OFFSET, timestampNanos);
        memory.set(U32, index + TYPE_AT, type);
        memory.set(U32, index + PRIORITY_AT, priority & 0xFF);
        long overflow = index + frameBytes - capacity;
        if (overflow > 0) {
            MemorySegment.copy(memory, capacity, memory, 0, overflow);
        }
        long end = at + frameBytes;
        frameEnds[(int) correlationId & slotMask] = end;
        tail = end;
        nextCorrelationId = correlationId + 1;
        PUBLISHED_CORRELATION_ID.setRelease(this, correlationId);
        PUBLISHED_TAIL.setRelease(this, end);
        return correlationId;
    }

    /** Any thread: the last correlationId appended (acquire). */
    long publishedCorrelationId() {
        return (long) PUBLISHED_CORRELATION_ID.getAcquire(this);
    }

    /** Any thread: the last correlationId released by an ACK (acquire). */
    long ackedCorrelationId() {
        return (long) ACKED.getAcquire(this);
    }

    /**
     * Reader: frames up to and including {@code correlationId} are ACKed; their bytes and slots
     * may be reused. The caller checked {@code ackedCorrelationId() < correlationId <=
     * publishedCorrelationId()} (the latter an acquire load).
     */
    void release(long correlationId) {
        HEAD.setRelease(this, frameEnds[(int) correlationId & slotMask]);
        ACKED.setVolatile(this, correlationId);
    }

    /** Under the write lock: the next write starts again at the oldest un-ACKed frame. */
    void rewind() {
        sent = (long) HEAD.getAcquire(this);
    }

    /** Under the write lock: true when every appended byte was handed to a socket. */
    boolean allSent() {
        return sent == (long) PUBLISHED_TAIL.getAcquire(this);
    }

    /**
     * Under the write lock: writes every appended byte not yet written to {@code channel}
     * (blocking). On an exception the bytes stay for the resend.
     */
    void writeTo(SocketChannel channel) throws IOException {
        long end = (long) PUBLISHED_TAIL.getAcquire(this);
        while (sent < end) {
            int index = (int) (sent & mask);
            int chunk = (int) Math.min(end - sent, capacity - index);
            writeView.limit(index + chunk).position(index);
            sent += channel.write(writeView);
        }
    }
}
