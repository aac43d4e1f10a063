package io.ferrite.kafka;

import io.ferrite.engine.metrics.Metric;
import io.ferrite.engine.metrics.MetricRegistry;

import java.util.Locale;

/**
 * What one partition's lanes have done on this node, kept across the lanes that partition gets
 * (a revoked partition assigned again continues the same figures), exported with a
 * {@code partition} label.
 *
 * <p>Thread-safety: each field has one writer — the consumer thread ({@code events},
 * {@code rejected}, {@code kafkaLag}, {@code state}) or the lane's output stage ({@code outputs},
 * {@code commits}, {@code aborts}, {@code committedOffset}); readers on any thread see plain
 * volatile values.
 */
public final class LaneFigures {
    private final int partition;
    volatile long events;
    volatile long rejected;
    volatile long kafkaLag;
    volatile long outputs;
    volatile long commits;
    volatile long aborts;
    volatile long committedOffset = -1;
    volatile long localLag;
    volatile String state = "assigned";
    volatile String journal = "new";

    LaneFigures(int partition) {
        this.partition = partition;
    }

    public int partition() {
        return partition;
    }

    /** Registers this partition's series (once per partition and node). */
    void registerInto(MetricRegistry registry) {
        String label = Integer.toString(partition);
        registry.add(Metric.counter("ferrite_lane_events_total", "Records handed from the partition to its lane",
            () -> events).withLabel("partition", label));
        registry.add(Metric.counter("ferrite_lane_rejected_total", "Records the lane's engine refused (skipped, logged)",
            () -> rejected).withLabel("partition", label));
        registry.add(Metric.counter("ferrite_lane_outputs_total", "Outputs the lane produced", () -> outputs)
            .withLabel("partition", label));
        registry.add(Metric.counter("ferrite_lane_commits_total", "Commits of outputs and input offsets",
            () -> commits).withLabel("partition", label));
        registry.add(Metric.counter("ferrite_lane_transaction_aborts_total", "Transactions aborted (the lane is rebuilt)",
            () -> aborts).withLabel("partition", label));
        registry.add(Metric.gauge("ferrite_lane_kafka_lag_records", "Records in the partition not yet read by this node",
            () -> kafkaLag).withLabel("partition", label));
        registry.add(Metric.gauge("ferrite_lane_local_lag_events", "Events journaled by the lane and not yet output",
            () -> localLag).withLabel("partition", label));
        registry.add(Metric.gauge("ferrite_lane_committed_offset", "The input offset last committed (-1: none yet)",
            () -> committedOffset).withLabel("partition", label));
    }

    /** One JSON object for {@code GET /lanes}. */
    String json(long position) {
        return String.format(Locale.ROOT, "{\"partition\":%d,\"state\":\"%s\",\"journal\":\"%s\",\"position\":%d,"
                + "\"committedOffset\":%d,\"kafkaLag\":%d,\"localLag\":%d,\"events\":%d,\"outputs\":%d,\"rejected\":%d,"
                + "\"commits\":%d,\"aborts\":%d}",
            partition, state, journal, position, committedOffset, kafkaLag, localLag, events, outputs, rejected, commits,
            aborts);
    }
}
