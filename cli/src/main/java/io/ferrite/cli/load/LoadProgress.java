package io.ferrite.cli.load;

import java.util.Locale;

/**
 * One live sample of a {@link LoadGenerator} run.
 *
 * <p>Thread-safety: immutable.
 *
 * @param seconds   since the run started
 * @param sent      events sent so far
 * @param acked     events accepted so far
 * @param rate      accepted events per second over the last interval
 * @param p99Micros 99th percentile latency over the last interval (0 when nothing was ACKed in it)
 */
public record LoadProgress(double seconds, long sent, long acked, long rate, long p99Micros) {

    /** {@code t=1.0s sent=N acked=N rate=X/s p99_us=N}. */
    public String line() {
        return String.format(Locale.ROOT, "t=%.1fs sent=%d acked=%d rate=%d/s p99_us=%d", seconds, sent, acked, rate,
            p99Micros);
    }
}
