package io.ferrite.pipeline;

import io.ferrite.concurrent.Progress;
import io.ferrite.engine.DeferredHandler;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventMarks;
import io.ferrite.engine.EventView;
import io.ferrite.pipeline.lanes.PriorityLanes;

/**
 * A stage behind its route: the events the route matches go to the handler, the others are passed
 * over (the stage still moves past them, so its checkpoint and lag stay exact). Counts both. The
 * server's policies may have marked an event ({@link EventMarks}): dropped events are passed over,
 * events a policy routed here are taken whatever the route says, and a route may ask for tags.
 * Behind the route may stand {@link PriorityLanes}: then the stage is deferred, and this passes
 * the engine's questions on to them.
 *
 * <p>Thread-safety: called on the stage's thread; the counts are read from any (acquire).
 */
public final class RoutedStage implements DeferredHandler {
    private final Route route;
    private final int tagBits;
    private final int routeBit;
    private final EventHandler handler;
    private final DeferredHandler deferred;
    private final boolean everyEvent;
    private final Progress matched = new Progress(0);
    private final Progress passed = new Progress(0);

    /** Every event its route matches goes to {@code handler}; no tag condition, no policy routes to it. */
    public RoutedStage(Route route, EventHandler handler) {
        this(route, 0, 0, handler);
    }

    /**
     * @param tagBits  the route's tag condition as {@link EventMarks} tag bits: the event must carry
     *                 one of them (0: no condition)
     * @param routeBit the tag bit with which a policy routes events to this stage whatever its route
     *                 says (0: none does)
     */
    public RoutedStage(Route route, int tagBits, int routeBit, EventHandler handler) {
        this.route = route;
        this.tagBits = tagBits;
        this.routeBit = routeBit;
        this.handler = handler;
        this.deferred = handler instanceof DeferredHandler d ? d : null;
        this.everyEvent = handler instanceof io.ferrite.pipeline.index.IndexStage && route.equals(Route.ALL) && tagBits == 0;
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
        if (sees(event)) {
            matched.incrementRelease();
            handler.onEvent(event, index, endOfBatch);
        } else {
            passed.incrementRelease();
        }
    }

    @Override
    public void onIdle() {
        handler.onIdle();
    }

    @Override
    public void onClose() {
        handler.onClose();
    }

    /**
     * Not dropped by a policy, and routed here by one or matched by the route (and its tags); the
     * query index sees every event, the dropped ones too (they are journaled, and may be asked for).
     */
    public boolean sees(EventView event) {
        if (everyEvent) {
            return true;
        }
        int marks = event.marks();
        if (EventMarks.dropped(marks)) {
            return false;
        }
        int tags = EventMarks.tags(marks);
        return (tags & routeBit) != 0 || (tagBits == 0 || (tags & tagBits) != 0) && route.matches(event);
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
