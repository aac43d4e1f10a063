package io.ferrite.transport.observe;

import io.ferrite.engine.IdleKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Concrete advice from measured signals, each with the number behind it: what the recent samples
 * and counters say about the dedup window, a stage that cannot keep up, back pressure, the disk,
 * and an idle strategy that starves a small machine.
 *
 * <p>Thread-safety: stateless.
 */
final class Recommendations {
    /** One piece of advice: a stable code, and the sentence for a person. */
    record Advice(String code, String text) {
    }

    /** Cumulative counters at the start and the end of the span looked at. */
    record Counters(long dedupEvictedByCount, long dedupCapacity, long backPressured, int cpus, IdleKind idle) {
    }

    private Recommendations() {
    }

    /**
     * @param history newest last; the span looked at is all of it (up to a minute is typical)
     * @param first   counters at the first sample of {@code history}
     * @param now     counters now
     */
    static List<Advice> from(List<StatusPoint> history, Counters first, Counters now) {
        List<Advice> advice = new ArrayList<>();
        if (history.size() < 2) {
            return advice;
        }
        StatusPoint oldest = history.getFirst();
        StatusPoint newest = history.getLast();
        double seconds = Math.max(1e-3, (newest.epochMillis() - oldest.epochMillis()) / 1e3);

        long evicted = now.dedupEvictedByCount() - first.dedupEvictedByCount();
        if (evicted > 0) {
            advice.add(new Advice("dedup_window_full", String.format(Locale.ROOT, "The dedup window is full and drops ids"
                + " before their max age: %,d evicted in the last %.0f s (it holds %,d). A retry of an evicted id is"
                + " journaled twice; raise --dedup-max-ids (about 45 B per id).", evicted, seconds, now.dedupCapacity())));
        }
        for (int k = 0; k < newest.stages().size(); k++) {
            int stage = k;
            long grew = 0;
            int growing = 0;
            for (int i = 1; i < history.size(); i++) {
                long delta = lag(history.get(i), stage) - lag(history.get(i - 1), stage);
                grew += delta;
                if (delta > 0) {
                    growing++;
                }
            }
            StatusPoint.Stage last = newest.stages().get(k);
            if (last.lag() > 1_000 && growing >= 0.8 * (history.size() - 1)) {
                advice.add(new Advice("stage_bottleneck", String.format(Locale.ROOT, "Stage %s is the bottleneck: its lag"
                    + " grew by %,.0f events/s over the last %.0f s (now %,d behind), handling %,.0f/s with a p99 of"
                    + " %.1f ms. Make its handler faster, or give it a core of its own.", last.name(), grew / seconds,
                    seconds, last.lag(), last.handledPerSecond(), last.p99Nanos() / 1e6)));
            }
        }
        long blocked = now.backPressured() - first.backPressured();
        if (blocked > 0) {
            advice.add(new Advice("back_pressure", String.format(Locale.ROOT, "The engine was full %,d times in the last"
                + " %.0f s, so connections stopped being read: ingest outruns the stages. See which stage lags, or use"
                + " --backpressure reject to refuse events instead of slowing clients down.", blocked, seconds)));
        }
        if (now.cpus() <= 2 && now.idle() == IdleKind.SPIN) {
            advice.add(new Advice("spin_on_small_machine", String.format(Locale.ROOT, "--idle spin on %d CPUs: a spinning"
                + " stage keeps a whole core busy and starves the event loop; use --idle backoff (the default).",
                now.cpus())));
        }
        if (seconds >= 30 && oldest.diskFreeBytes() > 0 && newest.diskFreeBytes() >= 0
            && newest.diskFreeBytes() < oldest.diskFreeBytes()) {
            double bytesPerSecond = (oldest.diskFreeBytes() - newest.diskFreeBytes()) / seconds;
            double hours = newest.diskFreeBytes() / bytesPerSecond / 3600;
            if (hours < 24) {
                advice.add(new Advice("disk_filling", String.format(Locale.ROOT, "The journal's disk fills at %.1f MB/s:"
                    + " full in about %.1f h at this rate. Free space, or keep fewer journal cycles.",
                    bytesPerSecond / 1e6, hours)));
            }
        }
        return advice;
    }

    private static long lag(StatusPoint point, int stage) {
        return stage < point.stages().size() ? point.stages().get(stage).lag() : 0;
    }
}
