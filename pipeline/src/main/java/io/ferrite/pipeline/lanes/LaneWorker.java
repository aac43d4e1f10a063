package io.ferrite.pipeline.lanes;

import io.ferrite.engine.DeferredHandler;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;
import io.ferrite.pipeline.completion.CompletionRing;
import org.agrona.concurrent.Agent;
import org.jctools.queues.SpscArrayQueue;

/**
 * The lanes' consumer: takes events strictly by priority (lane 0 first) and hands them to the
 * handler; while the lowest lane waits, it is served once after every {@code lowestEvery} events
 * of the others, so a flood of urgent events slows bulk ones without stopping them. Each handled
 * event frees its slot and is marked finished in the {@link CompletionRing}.
 *
 * <p>Thread-safety: single-threaded: run by its own agent runner, or called by the stage thread;
 * the handler is called on that one thread only.
 */
final class LaneWorker implements Agent {
    /** Events per duty cycle at most. */
    static final int BATCH = 64;
    private static final int LOWEST = LaneSpec.LANES - 1;

    private final String roleName;
    private final EventHandler handler;
    private final SpscArrayQueue<LaneItem>[] lanes;
    private final int lowestEvery;
    private final CompletionRing ring;
    private final PriorityLanes owner;
    private final EventView view = new EventView();
    private volatile DeferredHandler.Completions completions;
    /** Events of the higher lanes served since the lowest lane was last served while it waited. */
    private int sinceLowest;

    LaneWorker(String roleName, EventHandler handler, SpscArrayQueue<LaneItem>[] lanes, int lowestEvery,
               CompletionRing ring, PriorityLanes owner) {
        this.roleName = roleName;
        this.handler = handler;
        this.lanes = lanes;
        this.lowestEvery = lowestEvery;
        this.ring = ring;
        this.owner = owner;
    }

    void completionsTo(DeferredHandler.Completions completions) {
        this.completions = completions;
    }

    @Override
    public void onStart() {
        handler.onStart();
    }

    @Override
    public int doWork() {
        return doWork(BATCH);
    }

    /** Hands up to {@code max} events to the handler, by priority; returns how many. */
    int doWork(int max) {
        int done = 0;
        LaneItem item;
        while (done < max && (item = next()) != null) {
            done++;
            handle(item, done == max || empty());
        }
        return done;
    }

    /** The next event: the highest non-empty lane, unless the lowest lane's turn has come. */
    private LaneItem next() {
        if (sinceLowest >= lowestEvery) {
            LaneItem lowest = lanes[LOWEST].relaxedPoll();
            sinceLowest = 0;
            if (lowest != null) {
                return lowest;
            }
        }
        for (int lane = 0; lane < LOWEST; lane++) {
            LaneItem item = lanes[lane].relaxedPoll();
            if (item != null) {
                if (!lanes[LOWEST].isEmpty()) {
                    sinceLowest++;
                }
                return item;
            }
        }
        sinceLowest = 0;
        return lanes[LOWEST].relaxedPoll();
    }

    private boolean empty() {
        for (SpscArrayQueue<LaneItem> lane : lanes) {
            if (!lane.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private void handle(LaneItem item, boolean endOfBatch) {
        view.wrap(item.pool.memory(), item.pool.offset(item.slot), item.length);
        DeferredHandler.Completions engine = completions;
        if (engine == null) {
            throw new IllegalStateException("lane worker " + roleName + " runs outside an engine");
        }
        try {
            handler.onEvent(view, item.index, endOfBatch);
        } catch (Throwable error) {
            engine.failed(item.index, error, view);
        }
        engine.finished(item.index, view);
        int lane = item.priority;
        long sequence = item.sequence;
        owner.handledCounter(lane).incrementRelease();
        item.pool.free(item.slot); // from here the stage thread may reuse the item: read nothing of it after
        ring.finish(sequence);
    }

    @Override
    public void onClose() {
        handler.onClose();
    }

    @Override
    public String roleName() {
        return roleName;
    }
}
