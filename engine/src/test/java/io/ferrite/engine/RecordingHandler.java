package io.ferrite.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Test stage shared by the engine's and the server's tests (through the engine's test jar):
 * remembers what it handled, in order. Optionally it blocks inside its first event until
 * {@link #release()}, which freezes the engine's progress so that its capacity fills
 * (back-pressure tests).
 *
 * <p>Thread-safety: {@link #onEvent} on the stage thread; the other methods from any thread.
 */
public final class RecordingHandler implements EventHandler {
    /** One handled event: its journal index and header fields, the first payload long (-1 if shorter), its marks. */
    public record Seen(long index, long correlationId, long eventId, long key, int type, int priority,
                       long payloadHead, int payloadLength, int marks) {
    }

    private final List<Seen> seen = new ArrayList<>();
    private final boolean blockFirst;
    private final CountDownLatch blocked = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile int count;
    private volatile int endOfBatchCount;
    private volatile boolean started;
    private volatile boolean closed;

    /** Records every event. */
    public RecordingHandler() {
        this(false);
    }

    private RecordingHandler(boolean blockFirst) {
        this.blockFirst = blockFirst;
    }

    /** A handler that blocks in its first event until {@link #release()}. */
    public static RecordingHandler blockingFirst() {
        return new RecordingHandler(true);
    }

    @Override
    public void onStart() {
        started = true;
    }

    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) throws InterruptedException {
        if (blockFirst && blocked.getCount() > 0) {
            blocked.countDown();
            if (!released.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the test never released the stage");
            }
        }
        long head = event.payloadLength() >= 8 ? event.payloadLong(0) : -1;
        synchronized (seen) {
            seen.add(new Seen(index, event.correlationId(), event.eventId(), event.key(), event.type(), event.priority(),
                head, event.payloadLength(), event.marks()));
        }
        if (endOfBatch) {
            endOfBatchCount++;
        }
        count++;
    }

    @Override
    public void onClose() {
        closed = true;
    }

    /** Waits until the first event arrived and the handler is blocked in it. */
    public void awaitBlocked(Duration timeout) throws InterruptedException {
        if (!blocked.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("the stage did not block on its first event within " + timeout);
        }
    }

    /** Lets a {@link #blockingFirst()} handler go on. */
    public void release() {
        released.countDown();
    }

    /** Counts an event without recording it. */
    void increment() {
        count++;
    }

    public List<Seen> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** Events seen with this key, in handling order. */
    public List<Seen> seenWithKey(long key) {
        synchronized (seen) {
            return seen.stream().filter(s -> s.key() == key).toList();
        }
    }

    /** How many events with this key were seen. */
    public long countWithKey(long key) {
        synchronized (seen) {
            return seen.stream().filter(s -> s.key() == key).count();
        }
    }

    public int count() {
        return count;
    }

    int endOfBatchCount() {
        return endOfBatchCount;
    }

    boolean started() {
        return started;
    }

    boolean closed() {
        return closed;
    }

    /** Waits until at least {@code expected} events were seen; fails after {@code seconds}. */
    public void awaitCount(int expected, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (count < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("saw " + count + " of " + expected + " events within " + seconds + " s");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
