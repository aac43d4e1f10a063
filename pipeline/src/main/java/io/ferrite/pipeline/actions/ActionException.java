package io.ferrite.pipeline.actions;

/** Why an action gave up on an event: what the dead-letter journal records. */
public final class ActionException extends Exception {
    private final String action;
    private final int attempts;

    ActionException(String action, int attempts, String lastError) {
        super("action " + action + " gave up after " + attempts + " attempt" + (attempts == 1 ? "" : "s") + ": "
            + lastError, null, false, false);
        this.action = action;
        this.attempts = attempts;
    }

    public String action() {
        return action;
    }

    public int attempts() {
        return attempts;
    }
}
