package io.ferrite.engine;

/**
 * A handler that finishes events after {@link #onEvent} returns: later on the stage thread
 * ({@link #doDeferredWork()}) or on a thread of its own, possibly out of journal order (priority
 * lanes do). {@code onEvent} only takes the event in; the
 * engine then trusts {@link #finishedBelow()} instead of the return of {@code onEvent}:
 * <ul>
 *   <li>the next stage sees an event only once it is finished here;</li>
 *   <li>the checkpoint never passes an unfinished event, so after a crash every event that was
 *       taken in but not finished is handled again (at least once, as for any stage);</li>
 *   <li>the engine's capacity and a clean close count unfinished events as unprocessed.</li>
 * </ul>
 * The engine calls {@link #completionsTo} once, on the stage thread, before {@link #onStart()};
 * the handler reports each event it finishes there (the stage's latency is measured to that point).
 * {@link #onClose()} must finish or give up every event it took in before it returns.
 *
 * <p>Thread-safety: {@link #finishedBelow()} is called from any thread.
 */
public interface DeferredHandler extends EventHandler {
    /**
     * Whether this handler defers at all: a wrapper that may or may not wrap a deferring handler
     * answers for it, and the engine treats it as a plain handler when false. Default true.
     */
    default boolean defers() {
        return true;
    }

    /** {@link #finishedBelow()} when no event is waiting. */
    long NOTHING_PENDING = Long.MAX_VALUE;

    /**
     * The journal index of the oldest event taken in and not yet finished, or
     * {@link #NOTHING_PENDING}: every event below it is finished (acquire).
     */
    long finishedBelow();

    /**
     * Stage thread, once per duty cycle after the stage's read: work on events taken in earlier
     * (a handler that finishes them on the stage thread does it here).
     *
     * @return how much was done; 0 lets the stage's idle strategy back off
     */
    default int doDeferredWork() {
        return 0;
    }

    /** Where the handler reports the events it finishes, and those that fail. */
    void completionsTo(Completions completions);

    /**
     * The engine's side of finishing an event. Thread-safety: each method from one thread only (the
     * stage thread, or the handler's own thread), never allocating on the finished path.
     */
    interface Completions {
        /** The event {@code event} views (valid during this call only) is finished: records its latency. */
        void finished(long index, EventView event);

        /**
         * The event failed with {@code error}: the error handler, the dead-letter journal and the
         * error counter, as for an exception thrown on the stage thread.
         */
        void failed(long index, Throwable error, EventView event);
    }
}
