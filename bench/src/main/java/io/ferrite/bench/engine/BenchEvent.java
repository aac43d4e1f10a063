package io.ferrite.bench.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The peers' event: the header fields of a Ferrite event as longs and ints, plus a 64-byte payload
 * array the publisher copies into. Pre-allocated (one per Disruptor ring slot or queue pool slot)
 * and overwritten in place, so the peers allocate nothing per event either.
 *
 * <p>Thread-safety: handed from the publisher to the consumers by the peer's own hand-off.
 */
final class BenchEvent {
    private static final VarHandle PAYLOAD_LONG =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    long publishNanos;
    long eventId;
    long key;
    int type;
    int priority;
    final byte[] payload = new byte[EventPipe.PAYLOAD_LENGTH];

    /** Publisher: fills the header and copies {@code source} (the payload) in. */
    void fill(long eventId, long key, int type, byte[] source) {
        this.publishNanos = System.nanoTime();
        this.eventId = eventId;
        this.key = key;
        this.type = type;
        this.priority = 0;
        System.arraycopy(source, 0, payload, 0, EventPipe.PAYLOAD_LENGTH);
    }

    /** The sequence number stored in the payload's first 8 bytes. */
    long sequence() {
        return (long) PAYLOAD_LONG.get(payload, 0);
    }

    /** Publisher: stores {@code sequence} in the first 8 bytes of a payload array. */
    static void writeSequence(byte[] payload, long sequence) {
        PAYLOAD_LONG.set(payload, 0, sequence);
    }
}
