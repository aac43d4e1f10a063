package io.ferrite.pipeline.actions;

/**
 * How one attempt of one action for one event ended.
 *
 * <p>Thread-safety: immutable; made on whichever thread the attempt ended, read by the executor.
 *
 * @param call           the call it was an attempt of
 * @param outcome        how it ended
 * @param retryAfterNanos for {@link Outcome#RETRY}: the delay the receiver asked for, or -1
 * @param error          for the failures: what went wrong, for the log and the dead letter
 */
record Attempt(Call call, Outcome outcome, long retryAfterNanos, String error) {
    enum Outcome {
        /** Done. */
        SUCCESS,
        /** Failed in a way another attempt may fix (5xx, 429, connection errors). */
        RETRY,
        /** No answer within the action's timeout (retried like {@link #RETRY}, counted apart). */
        TIMEOUT,
        /** Failed in a way no retry fixes (4xx other than 408 and 429): dead-lettered at once. */
        FAIL
    }
}
