package io.ferrite.pipeline.windows;

import java.time.Instant;
import java.util.Locale;

/**
 * One group's figures over one window, as emitted when the window closes (or shown while it is
 * open): count, rate, and of the field sum, min, max, mean and percentiles (NaN when there is no
 * field, or no value of it). {@link #id()} is the same whenever the same window closes, so a
 * consumer can tell a repeat after a restart.
 *
 * <p>Thread-safety: immutable.
 *
 * @param group the key or type, or null for "other" (the groups past max-groups)
 */
public record ClosedWindow(String window, String groupBy, Long group, long startNanos, long endNanos, long count,
                           double sum, double min, double max, double p50, double p95, double p99) {
    /** {@code WINDOW/GROUP/START}. */
    public String id() {
        return window + "/" + (group == null ? "other" : group) + "/" + startNanos;
    }

    public double mean() {
        return count == 0 || Double.isNaN(sum) ? Double.NaN : sum / count;
    }

    /** Events per second over the window's length. */
    public double rate() {
        return count / ((endNanos - startNanos) / 1e9);
    }

    /** One JSON object. */
    public String json() {
        return String.format(Locale.ROOT, "{\"id\":\"%s\",\"window\":\"%s\",\"groupBy\":\"%s\",\"group\":%s,\"start\":\"%s\","
                + "\"end\":\"%s\",\"startNanos\":%d,\"endNanos\":%d,\"count\":%d,\"rate\":%s,\"sum\":%s,\"min\":%s,\"max\":%s,"
                + "\"mean\":%s,\"p50\":%s,\"p95\":%s,\"p99\":%s}",
            id(), window, groupBy, group == null ? "\"other\"" : group.toString(), instant(startNanos), instant(endNanos),
            startNanos, endNanos, count, number(rate()), number(sum), number(min), number(max), number(mean()), number(p50),
            number(p95), number(p99));
    }

    private static String instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
    }

    private static String number(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "null"
            : value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
            : String.format(Locale.ROOT, "%.6g", value);
    }
}
