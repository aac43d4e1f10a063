package io.ferrite.bench.offheap;

import io.ferrite.protocol.EventFrame;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Writing then reading the six header fields of one event, three ways: the off-heap
 * {@link EventFrame} re-wrapped over a ring of 64 events, a direct little-endian
 * {@link ByteBuffer} with absolute gets/puts, and a heap object made per event (what an engine
 * without flyweights does; it escapes into a ring, as it would into a queue).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EventAccessBenchmark {
    private static final int EVENTS = 64;
    private static final int EVENT_LENGTH = EventFrame.HEADER_LENGTH + 64;

    /** The heap alternative: one object per event. */
    public static final class HeapEvent {
        final long eventId;
        final long key;
        final long timestampNanos;
        final int type;
        final int priority;
        final byte[] payload;

        HeapEvent(long eventId, long key, long timestampNanos, int type, int priority, byte[] payload) {
            this.eventId = eventId;
            this.key = key;
            this.timestampNanos = timestampNanos;
            this.type = type;
            this.priority = priority;
            this.payload = payload;
        }
    }

    private Arena owner;
    private MemorySegment memory;
    private final EventFrame flyweight = new EventFrame();
    private ByteBuffer buffer;
    private final HeapEvent[] heapRing = new HeapEvent[EVENTS];
    private final byte[] payload = new byte[64];
    private long sequence;

    @Setup(Level.Trial)
    public void open() {
        owner = Arena.ofShared();
        memory = owner.allocate((long) EVENTS * EVENT_LENGTH, 64);
        buffer = ByteBuffer.allocateDirect(EVENTS * EVENT_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    }

    @TearDown(Level.Trial)
    public void close() {
        owner.close();
    }

    @Benchmark
    public long flyweight() {
        long n = sequence++;
        EventFrame event = flyweight.wrap(memory, (n & (EVENTS - 1)) * EVENT_LENGTH, EVENT_LENGTH);
        event.eventId(n).key(n ^ 0x5bd1e995L).timestampNanos(n * 31).type((int) n).priority((int) n & 3);
        return event.eventId() + event.key() + event.timestampNanos() + event.type() + event.priority()
            + event.payloadLength();
    }

    @Benchmark
    public long byteBuffer() {
        long n = sequence++;
        int base = (int) (n & (EVENTS - 1)) * EVENT_LENGTH;
        buffer.putLong(base + EventFrame.EVENT_ID_OFFSET, n)
            .putLong(base + EventFrame.KEY_OFFSET, n ^ 0x5bd1e995L)
            .putLong(base + EventFrame.TIMESTAMP_OFFSET, n * 31)
            .putInt(base + EventFrame.TYPE_OFFSET, (int) n)
            .put(base + EventFrame.PRIORITY_OFFSET, (byte) (n & 3));
        return buffer.getLong(base + EventFrame.EVENT_ID_OFFSET) + buffer.getLong(base + EventFrame.KEY_OFFSET)
            + buffer.getLong(base + EventFrame.TIMESTAMP_OFFSET) + buffer.getInt(base + EventFrame.TYPE_OFFSET)
            + buffer.get(base + EventFrame.PRIORITY_OFFSET) + (EVENT_LENGTH - EventFrame.HEADER_LENGTH);
    }

    @Benchmark
    public long heapObject() {
        long n = sequence++;
        HeapEvent event = new HeapEvent(n, n ^ 0x5bd1e995L, n * 31, (int) n, (int) n & 3, payload);
        heapRing[(int) (n & (EVENTS - 1))] = event;
        return event.eventId + event.key + event.timestampNanos + event.type + event.priority + event.payload.length;
    }
}
