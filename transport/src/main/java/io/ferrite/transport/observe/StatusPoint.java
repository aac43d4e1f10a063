package io.ferrite.transport.observe;

import java.util.List;

/**
 * One sample of a node's state, as {@link NodeObserver} takes it every interval: rates over the
 * interval, latency percentiles over the sliding window, and gauges now. {@code -1} where a figure
 * does not apply (no journal directory: no disk figures).
 *
 * <p>Thread-safety: immutable.
 *
 * @param epochMillis        when it was taken
 * @param acceptedPerSecond  events the server accepted per second (duplicates included)
 * @param refusedPerSecond   events answered REJECT per second
 * @param journaledPerSecond events appended to the journal per second (embedded publishers included)
 * @param errorRate          refused / answered over the interval (0 when nothing was answered)
 * @param ackP50Nanos        read-to-ACK latency over the window: median
 * @param ackP99Nanos        99th percentile
 * @param ackP999Nanos       99.9th percentile
 * @param ackMaxNanos        maximum
 * @param stages             per stage: lag, handled rate, publish-to-handled p99
 * @param connections        connections open now
 * @param heapUsedBytes      JVM heap in use
 * @param heapMaxBytes       JVM heap limit
 * @param cpuLoad            this process's CPU use, 0..1 of all the machine's CPUs
 * @param diskFreeBytes      usable bytes on the journal's file system
 * @param diskTotalBytes     its size
 * @param journalProblem     why the journal refuses events now, or null
 * @param cacheHitRate       enrichment cache hits / lookups over the interval, all caches; -1 when there
 *                           was no lookup (or there are no caches)
 */
public record StatusPoint(long epochMillis, double acceptedPerSecond, double refusedPerSecond, double journaledPerSecond,
                          double errorRate, long ackP50Nanos, long ackP99Nanos, long ackP999Nanos, long ackMaxNanos,
                          List<Stage> stages, long connections, long heapUsedBytes, long heapMaxBytes, double cpuLoad,
                          long diskFreeBytes, long diskTotalBytes, String journalProblem, double cacheHitRate) {

    /**
     * @param lag                events journaled but not yet handled
     * @param handledPerSecond   events handled per second over the interval
     * @param p99Nanos           publish-to-handled 99th percentile over the window
     */
    public record Stage(String name, long lag, double handledPerSecond, long p99Nanos) {
    }

    /** Heap in use as a fraction of its limit (0 when the limit is unknown). */
    public double heapFraction() {
        return heapMaxBytes <= 0 ? 0 : (double) heapUsedBytes / heapMaxBytes;
    }

    /** Free disk as a fraction of the file system (1 when there is no journal). */
    public double diskFreeFraction() {
        return diskTotalBytes <= 0 ? 1 : (double) diskFreeBytes / diskTotalBytes;
    }
}
