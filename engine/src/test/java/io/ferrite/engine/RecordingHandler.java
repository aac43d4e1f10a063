package io.ferrite.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test handler: remembers (index, key, eventId, first payload long) of everything it sees. */
final class RecordingHandler implements EventHandler {
    record Seen(long index, long key, long eventId, int type, int priority, long payloadHead, int payloadLength) {
    }

    private final List<Seen> seen = new ArrayList<>();
    private volatile int count;
    private volatile int endOfBatchCount;
    private volatile boolean started;
    private volatile boolean closed;

    @Override
    public void onStart() {
        started = true;
    }

    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) {
        long head = event.payloadLength() >= 8 ? event.payloadLong(0) : -1;
        synchronized (seen) {
            seen.add(new Seen(index, event.key(), event.eventId(), event.type(), event.priority(), head,
                event.payloadLength()));
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

    /** Counts an event without recording it. */
    void increment() {
        count++;
    }

    List<Seen> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    int count() {
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
    void awaitCount(int expected, long seconds) {
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
