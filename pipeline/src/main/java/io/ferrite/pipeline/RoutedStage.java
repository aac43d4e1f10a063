package io.ferrite.pipeline;

import io.ferrite.concurrent.Progress;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;

/**
 * A stage behind its route: the events the route matches go to the handler, the others are passed
 * over (the stage still moves past them, so its checkpoint and lag stay exact). Counts both.
 *
 * <p>Thread-safety: called on the stage's thread; the counts are read from any (acquire).
 */
public final class RoutedStage implements EventHandler {
    private final Route route;
    private final EventHandler handler;
    private final Progress matched = new Progress(0);
    private final Progress passed = new Progress(0);

    public RoutedStage(Route route, EventHandler handler) {
        this.route = route;
        this.handler = handler;
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

    /** The stage behind the route. */
    public EventHandler handler() {
        return handler;
    }

    public Route route() {
        return route;
    }
}
