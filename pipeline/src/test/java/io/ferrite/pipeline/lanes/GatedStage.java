package io.ferrite.pipeline.lanes;

import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A test stage: records each event's key and thread; holds the event with key {@code holdKey} until released. */
final class GatedStage implements EventHandler {
    final List<Long> keys = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);
    private final long holdKey;
    private final long failKey;

    GatedStage(long holdKey, long failKey) {
        this.holdKey = holdKey;
        this.failKey = failKey;
    }

    @Override
    public void onStart() {
        threads.add(Thread.currentThread().getName());
    }

    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) throws InterruptedException {
        if (event.key() == holdKey && !release.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("never released");
        }
        if (event.key() == failKey) {
            throw new IllegalArgumentException("event " + failKey + " is poisoned");
        }
        keys.add(event.key());
        String thread = Thread.currentThread().getName();
        if (!threads.contains(thread)) {
            threads.add(thread);
        }
    }
}
