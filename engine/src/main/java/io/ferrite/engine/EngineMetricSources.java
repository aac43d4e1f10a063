package io.ferrite.engine;

import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.GroupCommitter;
import io.ferrite.engine.metrics.Metric;
import io.ferrite.engine.metrics.MetricRegistry;
import io.ferrite.engine.metrics.StageMetrics;
import io.ferrite.engine.sequencer.Sequencer;
import io.ferrite.engine.stage.StageAgent;
import io.ferrite.engine.state.DedupWindow;

import java.util.List;

/**
 * The engine's figures as {@link Metric}s: read where they are kept (the sequencer's and stages'
 * single-writer counters), nothing added to the hot path. Gauges of single-writer state kept in
 * plain fields (the dedup window's size) may be a moment stale when read from another thread.
 *
 * <p>Thread-safety: stateless; the metrics it makes read with acquire semantics where the source offers it.
 */
final class EngineMetricSources {
    private EngineMetricSources() {
    }

    static MetricRegistry register(Sequencer sequencer, List<StageAgent> stages, DedupWindow dedup,
                                   GroupCommitter groupCommitter, ChronicleJournal chronicle) {
        MetricRegistry registry = new MetricRegistry();
        registry.add(Metric.counter("ferrite_events_journaled", "Events appended to the journal (its next index)",
            sequencer::appended));
        registry.add(Metric.counter("ferrite_events_duplicate", "Publishes answered with an earlier index by the dedup window",
            sequencer::duplicates));
        registry.add(Metric.counter("ferrite_publish_refused", "Publishes refused, by reason",
            sequencer::backPressured).withLabel("reason", "back_pressured"));
        registry.add(Metric.counter("ferrite_publish_refused", "Publishes refused, by reason",
            sequencer::rejected).withLabel("reason", "invalid"));
        registry.add(Metric.counter("ferrite_publish_refused", "Publishes refused, by reason",
            sequencer::journalUnavailable).withLabel("reason", "journal_unavailable"));
        registry.add(Metric.counter("ferrite_journal_batches", "Journal appends (one per publish batch)",
            sequencer::batches));
        for (StageAgent stage : stages) {
            StageMetrics m = stage.metrics();
            String name = m.stage();
            registry.add(Metric.counter("ferrite_stage_events", "Events a stage handled", m.events()::getAcquire)
                .withLabel("stage", name));
            registry.add(Metric.counter("ferrite_stage_batches", "Batches a stage handled", m.batches()::getAcquire)
                .withLabel("stage", name));
            registry.add(Metric.counter("ferrite_stage_errors", "Handler exceptions in a stage", m.errors()::getAcquire)
                .withLabel("stage", name));
            registry.add(Metric.counter("ferrite_stage_dead_letters", "Events a stage wrote to the dead-letter journal",
                m.deadLettered()::getAcquire).withLabel("stage", name));
            registry.add(Metric.gauge("ferrite_stage_lag_events", "Events journaled but not yet handled by a stage",
                () -> Math.max(0, sequencer.appended() - stage.processed())).withLabel("stage", name));
        }
        if (dedup != null) {
            registry.add(Metric.gauge("ferrite_dedup_ids", "Event ids the dedup window holds", dedup::size));
            registry.add(Metric.gauge("ferrite_dedup_capacity_ids", "Most event ids the dedup window holds",
                dedup::maxEntries));
            registry.add(Metric.counter("ferrite_dedup_evicted", "Ids that left the dedup window, by reason (full, or older than its max age)",
                dedup::evictedByCount).withLabel("reason", "count"));
            registry.add(Metric.counter("ferrite_dedup_evicted", "Ids that left the dedup window, by reason (full, or older than its max age)",
                dedup::evictedByAge).withLabel("reason", "age"));
            registry.add(Metric.gauge("ferrite_dedup_bytes", "Off-heap bytes of the dedup window", dedup::byteSize));
        }
        if (groupCommitter != null) {
            registry.add(Metric.counter("ferrite_journal_syncs", "Group commits (msync) in SYNC durability",
                groupCommitter::syncs));
        }
        if (chronicle != null) {
            registry.add(Metric.gauge("ferrite_journal_first_index", "The journal's oldest index still kept",
                chronicle::startOfJournal));
        }
        return registry;
    }
}
