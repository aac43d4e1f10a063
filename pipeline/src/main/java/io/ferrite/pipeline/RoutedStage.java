package io.ferrite.pipeline;

import io.ferrite.concurrent.Progress;
import io.ferrite.engine.DeferredHandler;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;
import io.ferrite.pipeline.lanes.PriorityLanes;

/**
 * A stage behind its route: the events the route matches go to the handler, the others are passed
 * over (the stage still moves past them, so its checkpoint and lag stay exact). Counts both.
 * Behind the route may stand {@link PriorityLanes}: then the stage is deferred, and this passes
 * the engine's questions on to them.
 *
 * <p>Thread-safety: called on the stage's thread; the counts are read from any (acquire).
 */
public final class RoutedStage implements DeferredHandler {
    private final Route route;
    private final EventHandler handler;
    private final DeferredHandler deferred;
    private final Progress matched = new Progress(0);
    private final Progress passed = new Progress(0);

    public RoutedStage(Route route, EventHandler handler) {
        this.route = route;
        this.handler = handler;
        this.deferred = handler instanceof DeferredHandler d ? d : null;
    }

    @Override
    public boolean defers() {
        return deferred != null && deferred.defers();
    }

    @Override
    public long finishedBelow() {
        return deferred == null ? NOTHING_PENDING : deferred.finishedBelow();
    }

    @Override
    public int doDeferredWork() {
        return deferred == null ? 0 : deferred.doDeferredWork();
    }

    @Override
    public void completionsTo(Completions completions) {
        if (deferred != null) {
            deferred.completionsTo(completions);
        }
    }

    @Override
    public void onStart() {
        handler.onStart();
    }

    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) throws Exception {
        if (route.matches(event)) {
            matched.incrementRelease();
            handler.onEvent(event, index, endOfBatch);
        } else {
            passed.incrementRelease();
        }
    }

    @Override
    public void onClose() {
        handler.onClose();
    }

    /** Events the route sent to the handler. */
    public long matched() {
        return matched.getAcquire();
    }

    /** Events the route passed over. */
    public long passed() {
        return passed.getAcquire();
    }

    /** The stage behind the route (behind its lanes, if it has them). */
    public EventHandler handler() {
        return handler instanceof PriorityLanes lanes ? lanes.handler() : handler;
    }

    /** The stage's priority lanes, or null. */
    public PriorityLanes lanes() {
        return handler instanceof PriorityLanes lanes ? lanes : null;
    }

    public Route route() {
        return route;
    }
}
