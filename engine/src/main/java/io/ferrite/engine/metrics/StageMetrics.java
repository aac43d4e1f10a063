package io.ferrite.engine.metrics;

/**
 * What one stage has done: events handled, batches, handler errors, events dead-lettered, and
 * its publish-to-handled latency.
 *
 * <p>Thread-safety: written by the stage's thread only; read from any thread.
 */
public final class StageMetrics {
    private final String stage;
    private final SingleWriterCounter events = new SingleWriterCounter();
    private final SingleWriterCounter batches = new SingleWriterCounter();
    private final SingleWriterCounter errors = new SingleWriterCounter();
    private final SingleWriterCounter deadLettered = new SingleWriterCounter();
    private final LatencyRecorder latency = new LatencyRecorder();

    public StageMetrics(String stage) {
        this.stage = stage;
    }

    public String stage() {
        return stage;
    }

    public SingleWriterCounter events() {
        return events;
    }

    public SingleWriterCounter batches() {
        return batches;
    }

    public SingleWriterCounter errors() {
        return errors;
    }

    public SingleWriterCounter deadLettered() {
        return deadLettered;
    }

    public LatencyRecorder latency() {
        return latency;
    }
}
