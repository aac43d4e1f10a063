package io.ferrite.engine;

/**
 * A user stage: called by exactly one thread, in journal order. The {@link EventView} is a
 * flyweight valid only during the call: copy out what must outlive it.
 *
 * <p>An exception thrown from {@link #onEvent} goes to the engine's {@link ErrorHandler}; the
 * event is recorded to the dead-letter journal and the stage carries on with the next event.
 *
 * <p>Thread-safety: the engine calls one handler from one thread only, so a handler needs no
 * synchronisation for its own state.
 */
public interface EventHandler {

    /** Called once on the stage's thread before the first event (after replay begins). */
    default void onStart() {
    }

    /**
     * One event.
     *
     * @param event      the event, a flyweight over journal memory
     * @param index      its journal index
     * @param endOfBatch true when no further event is available right now: flush batched work
     */
    void onEvent(EventView event, long index, boolean endOfBatch) throws Exception;

    /** Called once on the stage's thread after the last event, when the engine closes. */
    /**
     * Stage thread, when a read found no event: time for housekeeping that must also happen while
     * no event comes (a flush due, a view to refresh). Keep it short: it runs once per idle duty
     * cycle, before the stage's idle strategy backs off. Default: nothing.
     */
    default void onIdle() {
    }

    default void onClose() {
    }
}
