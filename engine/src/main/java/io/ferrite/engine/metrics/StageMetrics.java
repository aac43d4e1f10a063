package io.ferrite.engine.metrics;

import io.ferrite.concurrent.Progress;

/**
 * What one stage has done: events handled, batches, handler errors, events dead-lettered, and
 * its publish-to-handled latency.
 *
 * <p>Thread-safety: written by the stage's thread only; read from any thread.
 */
public final class StageMetrics {
    private final String stage;
    private final Progress events = new Progress();
    private final Progress batches = new Progress();
    private final Progress errors = new Progress();
    private final Progress deadLettered = new Progress();
    private final LatencyRecorder latency = new LatencyRecorder();

    public StageMetrics(String stage) {
        this.stage = stage;
    }

    public String stage() {
        return stage;
    }

    public Progress events() {
        return events;
    }

    public Progress batches() {
        return batches;
    }

    public Progress errors() {
        return errors;
    }

    public Progress deadLettered() {
        return deadLettered;
    }

    public LatencyRecorder latency() {
        return latency;
    }
}
