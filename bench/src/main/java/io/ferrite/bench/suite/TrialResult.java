package io.ferrite.bench.suite;

/**
 * What one trial did.
 *
 * @param events           events (or round trips, or records) completed in the trial
 * @param seconds          how long the trial took, first event to last completion
 * @param throughput       events / seconds
 * @param latency          percentiles, or null when the scenario measures no latency
 * @param timeline         completions per second in each sample interval, in order
 * @param sampleSeconds    the length of one timeline interval
 * @param allocatedBytes   heap bytes allocated by the whole JVM during the trial, or -1 when unknown
 *
 * <p>Thread-safety: immutable (the timeline array is not copied: do not change it).
 */
public record TrialResult(long events, double seconds, double throughput, LatencySummary latency, double[] timeline,
                          double sampleSeconds, long allocatedBytes) {

    public static TrialResult of(long events, double seconds, LatencySummary latency, double[] timeline,
                                 double sampleSeconds) {
        return new TrialResult(events, seconds, seconds > 0 ? events / seconds : 0, latency, timeline, sampleSeconds, -1);
    }

    public TrialResult withAllocatedBytes(long bytes) {
        return new TrialResult(events, seconds, throughput, latency, timeline, sampleSeconds, bytes);
    }

    /** Allocated bytes per event, or NaN when unknown. */
    public double allocationPerEvent() {
        return allocatedBytes < 0 || events == 0 ? Double.NaN : (double) allocatedBytes / events;
    }
}
