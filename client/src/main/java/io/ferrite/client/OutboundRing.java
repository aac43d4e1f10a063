package io.ferrite.client;

import io.ferrite.concurrent.Progress;
import io.ferrite.protocol.EventFrame;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

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
    /** Bytes of an EVENT frame before its payload: frame header and EVENT header. */
    static final int EVENT_FRAME_OVERHEAD = EventFrame.FRAME_OVERHEAD;

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
    private final Progress publishedTail = new Progress();
    private final Progress publishedCorrelationId = new Progress();

    // Written by the reader: head with release, ackedCorrelationId volatile; read with acquire.
    private final Progress head = new Progress();
    private final Progress ackedCorrelationId = new Progress();

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
            ackedCache = ackedCorrelationId.getAcquire();
            if (correlationId - ackedCache > frameEnds.length) {
                return ClientResult.BACK_PRESSURED;
            }
        }
        if (tail + frameBytes - headCache > capacity) {
            headCache = head.getAcquire();
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
        EventFrame.writeHeader(memory, index, correlationId, eventId, key, timestampNanos, type, priority, length);
        long overflow = index + frameBytes - capacity;
        if (overflow > 0) {
            MemorySegment.copy(memory, capacity, memory, 0, overflow);
        }
        long end = at + frameBytes;
        frameEnds[(int) correlationId & slotMask] = end;
        tail = end;
        nextCorrelationId = correlationId + 1;
        publishedCorrelationId.setRelease(correlationId);
        publishedTail.setRelease(end);
        return correlationId;
    }

    /** Any thread: the last correlationId appended (acquire). */
    long publishedCorrelationId() {
        return publishedCorrelationId.getAcquire();
    }

    /** Any thread: the last correlationId released by an ACK (acquire). */
    long ackedCorrelationId() {
        return ackedCorrelationId.getAcquire();
    }

    /**
     * Reader: frames up to and including {@code correlationId} are ACKed; their bytes and slots
     * may be reused. The caller checked {@code ackedCorrelationId() < correlationId <=
     * publishedCorrelationId()} (the latter an acquire load).
     */
    void release(long correlationId) {
        head.setRelease(frameEnds[(int) correlationId & slotMask]);
        ackedCorrelationId.setVolatile(correlationId);
    }

    /** Under the write lock: the next write starts again at the oldest un-ACKed frame. */
    void rewind() {
        sent = head.getAcquire();
    }

    /** Under the write lock: true when every appended byte was handed to a socket. */
    boolean allSent() {
        return sent == publishedTail.getAcquire();
    }

    /**
     * Under the write lock: writes every appended byte not yet written to {@code channel}
     * (blocking). On an exception the bytes stay for the resend.
     */
    void writeTo(Wire channel) throws IOException {
        long end = publishedTail.getAcquire();
        while (sent < end) {
            int index = (int) (sent & mask);
            int chunk = (int) Math.min(end - sent, capacity - index);
            writeView.limit(index + chunk).position(index);
            sent += channel.write(writeView);
        }
    }
}
