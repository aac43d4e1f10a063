package io.ferrite.transport.observe;

import io.ferrite.engine.metrics.LatencySummary;
import io.ferrite.engine.metrics.LatencyWindow;
import io.ferrite.engine.metrics.MetricRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The observer's latency windows as Prometheus summaries: {@code ferrite_ack_latency_seconds}
 * (read to ACK, all event loops), {@code ferrite_journal_append_seconds} (a read's events
 * journaled), {@code ferrite_stage_latency_seconds{stage}} (publish to handled) and the registry's
 * {@link LatencySummary}s (an action's attempts…): quantiles 0.5, 0.95, 0.99, 0.999 over the last
 * 10 s, count and sum since the start.
 *
 * <p>Thread-safety: thread-safe (the windows are).
 */
final class LatencyCollector implements MultiCollector {
    private static final double[] QUANTILES = {0.5, 0.95, 0.99, 0.999};

    private final LatencyWindow ack;
    private final LatencyWindow append;
    private final List<String> stageNames;
    private final List<LatencyWindow> stages;
    private final MetricRegistry registry;

    LatencyCollector(LatencyWindow ack, LatencyWindow append, List<String> stageNames, List<LatencyWindow> stages,
                     MetricRegistry registry) {
        this.registry = registry;
        this.ack = ack;
        this.append = append;
        this.stageNames = List.copyOf(stageNames);
        this.stages = List.copyOf(stages);
    }

    @Override
    public MetricSnapshots collect() {
        SummarySnapshot.Builder stageSummary = SummarySnapshot.builder().name("ferrite_stage_latency_seconds")
            .help("Publish-to-handled latency of each stage; quantiles over the last 10 s");
        for (int k = 0; k < stages.size(); k++) {
            stageSummary.dataPoint(point(stages.get(k), Labels.of("stage", stageNames.get(k))));
        }
        List<MetricSnapshot> summaries = new ArrayList<>(List.of(
            SummarySnapshot.builder().name("ferrite_ack_latency_seconds")
                .help("From the start of a read to the ACK that covers its events; quantiles over the last 10 s")
                .dataPoint(point(ack, Labels.EMPTY)).build(),
            SummarySnapshot.builder().name("ferrite_journal_append_seconds")
                .help("Appending one read's events to the journal, lock wait included; quantiles over the last 10 s")
                .dataPoint(point(append, Labels.EMPTY)).build(),
            stageSummary.build()));
        Map<String, SummarySnapshot.Builder> registered = new LinkedHashMap<>();
        for (LatencySummary latency : registry.latencies()) {
            registered.computeIfAbsent(latency.name(), name -> SummarySnapshot.builder().name(name)
                    .help(latency.help() + "; quantiles over the last 10 s"))
                .dataPoint(point(latency.window(), latency.labelName() == null ? Labels.EMPTY
                    : Labels.of(latency.labelName(), latency.labelValue())));
        }
        registered.values().forEach(builder -> summaries.add(builder.build()));
        return new MetricSnapshots(summaries);
    }

    private static SummarySnapshot.SummaryDataPointSnapshot point(LatencyWindow window, Labels labels) {
        Quantile[] quantiles = new Quantile[QUANTILES.length];
        for (int i = 0; i < QUANTILES.length; i++) {
            quantiles[i] = new Quantile(QUANTILES[i], window.percentileNanos(QUANTILES[i] * 100) / 1e9);
        }
        return SummarySnapshot.SummaryDataPointSnapshot.builder().labels(labels).quantiles(Quantiles.of(quantiles))
            .count(window.totalCount()).sum(window.totalSeconds()).build();
    }
}
