package io.ferrite.transport.server;

import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Test stage: remembers (journal index, correlationId, eventId, key) of every event it handles.
 * Optionally it blocks inside its first event until {@link #release()}, which freezes the engine's
 * progress so that its capacity fills (back-pressure tests).
 *
 * <p>Thread-safety: {@link #onEvent} on the stage thread; the other methods from any thread.
 */
final class RecordingStage implements EventHandler {
    record Seen(long index, long correlationId, long eventId, long key) {
    }

    private final List<Seen> seen = new ArrayList<>();
    private final boolean blockFirst;
    private final CountDownLatch blocked = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile int count;

    private RecordingStage(boolean blockFirst) {
        this.blockFirst = blockFirst;
    }

    static RecordingStage recording() {
        return new RecordingStage(false);
    }

    /** A stage that blocks in its first event until {@link #release()}. */
    static RecordingStage blockingFirst() {
        return new RecordingStage(true);
    }

    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) throws InterruptedException {
        if (blockFirst && blocked.getCount() > 0) {
            blocked.countDown();
            if (!released.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the test never released the stage");
            }
        }
        synchronized (seen) {
            seen.add(new Seen(index, event.correlationId(), event.eventId(), event.key()));
        }
        count++;
    }

    void awaitBlocked(Duration timeout) throws InterruptedException {
        if (!blocked.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("the stage did not block on its first event within " + timeout);
        }
    }

    void release() {
        released.countDown();
    }

    int count() {
        return count;
    }

    List<Seen> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** Events seen with this key, in handling order. */
    List<Seen> seenWithKey(long key) {
        synchronized (seen) {
            return seen.stream().filter(s -> s.key() == key).toList();
        }
    }

    long countWithKey(long key) {
        synchronized (seen) {
            return seen.stream().filter(s -> s.key() == key).count();
        }
    }
}
