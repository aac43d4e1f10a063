package io.ferrite.cli.load;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * The result of one {@link LoadGenerator} run. Latencies are ACK receive time minus intended
 * send time (coordinated-omission corrected when a rate is set), over accepted events.
 *
 * <p>Thread-safety: immutable; the latency histogram is copied on the way in and on the way out.
 *
 * @param sent        events handed to the clients
 * @param acked       events the server accepted (ACKed and not REJECTed; duplicates included)
 * @param rejected    events the server REJECTed
 * @param errors      ERROR frames, connection drops without an ERROR, and publishes refused as CLOSED
 * @param seconds     from the first intended send to the last ACK
 * @param rate        acked / seconds
 * @param p50Micros   median latency
 * @param p99Micros   99th percentile
 * @param p999Micros  99.9th percentile
 * @param p9999Micros 99.99th percentile
 * @param maxMicros   largest latency
 * @param latencyNanos every latency behind the percentiles above, in nanoseconds (the same
 *                    correction); its accessor returns a copy
 */
public record Summary(long sent, long acked, long rejected, long errors, double seconds, long rate, long p50Micros,
                      long p99Micros, long p999Micros, long p9999Micros, long maxMicros, Histogram latencyNanos) {

    public Summary {
        latencyNanos = latencyNanos.copy();
    }

    /** The figures alone, with an empty latency histogram. */
    public Summary(long sent, long acked, long rejected, long errors, double seconds, long rate, long p50Micros,
                   long p99Micros, long p999Micros, long p9999Micros, long maxMicros) {
        this(sent, acked, rejected, errors, seconds, rate, p50Micros, p99Micros, p999Micros, p9999Micros, maxMicros,
            new Histogram(3));
    }

    /**
     * A copy of the full latency distribution (nanoseconds), for percentile curves beyond the five
     * figures; control path (it allocates the copy).
     */
    @Override
    public Histogram latencyNanos() {
        return latencyNanos.copy();
    }

    /**
     * {@code sent=N acked=N rejected=R errors=E seconds=S rate=X/s p50_us=… p99_us=… p999_us=… p9999_us=… max_us=…},
     * seconds with 3 decimals, everything else an integer.
     */
    public String line() {
        return String.format(Locale.ROOT,
            "sent=%d acked=%d rejected=%d errors=%d seconds=%.3f rate=%d/s p50_us=%d p99_us=%d p999_us=%d p9999_us=%d max_us=%d",
            sent, acked, rejected, errors, seconds, rate, p50Micros, p99Micros, p999Micros, p9999Micros, maxMicros);
    }

    /** The same fields as one JSON object (rate in events per second). */
    public String json() {
        return String.format(Locale.ROOT,
            "{\"sent\":%d,\"acked\":%d,\"rejected\":%d,\"errors\":%d,\"seconds\":%.3f,\"rate\":%d,"
                + "\"p50_us\":%d,\"p99_us\":%d,\"p999_us\":%d,\"p9999_us\":%d,\"max_us\":%d}",
            sent, acked, rejected, errors, seconds, rate, p50Micros, p99Micros, p999Micros, p9999Micros, maxMicros);
    }
}
