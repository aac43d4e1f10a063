package io.ferrite.engine;

import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * A snapshot of an engine's counters (control path: made on request).
 *
 * @param published          the journal's next index: events journaled, ever (MEMORY: since the start)
 * @param duplicates         publishes answered with an earlier index by the dedup window
 * @param backPressured      publishes answered BACK_PRESSURED
 * @param rejected           publishes answered REJECTED
 * @param journalUnavailable publishes answered JOURNAL_UNAVAILABLE
 * @param stages             one entry per stage, in order
 */
public record EngineMetrics(long published, long duplicates, long backPressured, long rejected,
                            long journalUnavailable, List<Stage> stages) {

    /**
     * @param lag     events published but not yet handled by this stage (its queue depth)
     * @param latency publish-to-handled nanoseconds since start
     */
    public record Stage(String name, long events, long batches, long errors, long deadLettered, long lag,
                        Histogram latency) {
    }
}
