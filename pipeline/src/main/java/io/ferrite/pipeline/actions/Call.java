package io.ferrite.pipeline.actions;

/**
 * One action for one event, across its attempts.
 *
 * <p>Thread-safety: executor thread only (an attempt's callback only reads it into its {@link Attempt}).
 */
final class Call {
    final ActionEvent event;
    final ActionRunner action;
    /** The action's position in its stage (its queue, and its part of the ledger's key). */
    final int actionIndex;
    /** Attempts started so far. */
    int attempts;
    /** When it may start again ({@link System#nanoTime()}), while it waits for a retry or a breaker. */
    long dueNanos;
    String lastError;
    /** {@link System#nanoTime()} when the current attempt started. */
    long startedNanos;

    Call(ActionEvent event, ActionRunner action, int actionIndex) {
        this.event = event;
        this.action = action;
        this.actionIndex = actionIndex;
    }
}
