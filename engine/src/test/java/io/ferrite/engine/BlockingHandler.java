package io.ferrite.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Test handler that stops a stage mid-way: it records events like {@link RecordingHandler}, lets
 * the first {@code passFirst} through, then blocks inside the next one until {@link #release()}.
 * After the release it records that event and handles the rest without blocking.
 *
 * <p>Thread-safety: {@link #onEvent} on the stage thread; the other methods from any thread.
 */
final class BlockingHandler implements EventHandler {
    private final RecordingHandler recorder = new RecordingHandler();
    private final int passFirst;
    private final CountDownLatch blocked = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile Thread thread;
    private int entered;

    BlockingHandler(int passFirst) {
        this.passFirst = passFirst;
    }

    @Override
    public void onStart() {
        thread = Thread.currentThread();
        recorder.onStart();
    }

    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) throws InterruptedException {
        if (entered++ == passFirst) {
            blocked.countDown();
            released.await();
        }
        recorder.onEvent(event, index, endOfBatch);
    }

    @Override
    public void onClose() {
        recorder.onClose();
    }

    /** Waits until the handler blocks in event {@code passFirst + 1}. */
    void awaitBlocked(Duration timeout) throws InterruptedException {
        if (!blocked.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("handler did not reach event " + (passFirst + 1) + " within " + timeout
                + "; it handled " + recorder.count());
        }
    }

    void release() {
        released.countDown();
    }

    /** The stage thread (known once the stage started). */
    Thread thread() {
        return thread;
    }

    List<RecordingHandler.Seen> seen() {
        return recorder.seen();
    }

    int count() {
        return recorder.count();
    }
}
