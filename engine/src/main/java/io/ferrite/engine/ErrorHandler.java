package io.ferrite.engine;

/**
 * Receives exceptions thrown by handlers. The stage carries on after it returns.
 *
 * <p>Thread-safety: called from every stage thread; implementations must be thread-safe.
 */
@FunctionalInterface
public interface ErrorHandler {

    /**
     * @param stage the stage's role name, e.g. {@code stage-0}
     * @param index the journal index of the event being handled
     * @param error what the handler threw
     */
    void onError(String stage, long index, Throwable error);
}
