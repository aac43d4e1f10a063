package io.ferrite.bench.windows;

import io.ferrite.bench.suite.Metric;
import io.ferrite.bench.suite.Sampler;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.TrialResult;
import io.ferrite.engine.EventView;
import io.ferrite.engine.journal.JournalRecord;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.Stages;
import io.ferrite.pipeline.windows.WindowStage;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.LongAdder;

/**
 * A windowed count per key over 100,000 keys in one thread: one-second tumbling windows with a
 * 200 ms grace, events 1 µs apart in event time (so a window closes — every key's count emitted —
 * each million events). Ferrite's window stage is handed journal records directly (its
 * {@code onEvent}, as the stage thread calls it; the emitted windows go to a log that drops them).
 * Peers, on the same events: a Kafka Streams windowed count ({@code groupByKey().windowedBy(...)
 * .count()}, an in-memory window store) run by its {@code TopologyTestDriver} in this thread, and a
 * plain HashMap of counters per key that empties at each window's close.
 *
 * <p>Thread-safety: run from the suite runner's thread.
 */
public final class WindowCountScenario implements Scenario {
    /** Who counts. */
    public enum Counter { FERRITE, KAFKA_STREAMS, HASHMAP }

    private static final int KEYS = 100_000;
    private static final int RECORDS = 1 << 20;
    private static final long START = 1_796_000_000_000_000_000L;

    private final Counter counter;
    private final Arena arena = Arena.ofShared();
    private MemorySegment records;
    private int recordLength;
    private final EventView view = new EventView();
    private WindowStage stage;
    private TopologyTestDriver driver;
    private TestInputTopic<Long, Long> input;
    private final Map<Long, long[]> counts = new HashMap<>();
    private long windowOfCounts = Long.MIN_VALUE;
    private long emitted;
    private long sequence;

    public WindowCountScenario(Counter counter) {
        this.counter = counter;
    }

    @Override
    public String name() {
        return "windows.count.100k-keys" + switch (counter) {
            case FERRITE -> "";
            case KAFKA_STREAMS -> ".kafka-streams";
            case HASHMAP -> ".hashmap";
        };
    }

    @Override
    public String group() {
        return "windows";
    }

    @Override
    public String description() {
        return switch (counter) {
            case FERRITE -> "Ferrite window stage, one thread";
            case KAFKA_STREAMS -> "Kafka Streams windowed count, TopologyTestDriver, in-memory store (peer)";
            case HASHMAP -> "HashMap of counters per key, emptied at each close (peer)";
        } + ": 1-s tumbling windows, 100,000 keys";
    }

    @Override
    public Metric metric() {
        return Metric.THROUGHPUT;
    }

    @Override
    public List<String> peers() {
        return counter == Counter.FERRITE ? List.of(name() + ".kafka-streams", name() + ".hashmap") : List.of();
    }

    @Override
    public void open() {
        recordLength = JournalRecord.HEADER_LENGTH + 8;
        records = arena.allocate((long) recordLength * RECORDS, 8);
        for (int i = 0; i < RECORDS; i++) {
            JournalRecord.writeHeader(records, (long) i * recordLength, 0, 0, i + 1, (i * 7919L) % KEYS, 0, 1, 0);
        }
        switch (counter) {
            case FERRITE -> {
                var pipeline = PipelineFile.parse("bench.yaml", """
                    stages:
                      - name: per-key
                        use: window
                        with: {group-by: key, size: 1s, grace: 200ms, max-groups: 100000, emit: log}
                    """);
                stage = Stages.windowStages(Stages.build(pipeline, Stages.loader(List.of()))).getFirst();
                stage.onStart();
            }
            case KAFKA_STREAMS -> {
                StreamsBuilder builder = new StreamsBuilder();
                builder.stream("events", Consumed.with(Serdes.Long(), Serdes.Long())).groupByKey()
                    .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofSeconds(1), Duration.ofMillis(200)))
                    .count(Materialized.as(Stores.inMemoryWindowStore("counts", Duration.ofSeconds(3), Duration.ofSeconds(1),
                        false)));
                Properties config = new Properties();
                config.put(StreamsConfig.APPLICATION_ID_CONFIG, "ferrite-bench");
                config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1"); // the test driver connects nowhere
                config.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 10 * 1024 * 1024);
                driver = new TopologyTestDriver(builder.build(), config);
                input = driver.createInputTopic("events", Serdes.Long().serializer(), Serdes.Long().serializer());
            }
            case HASHMAP -> {
            }
        }
    }

    @Override
    public TrialResult run(Duration duration, Duration sample) throws InterruptedException {
        LongAdder done = new LongAdder();
        Sampler sampler = Sampler.start(done::sum, sample);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        while (System.nanoTime() < end) {
            for (int i = 0; i < 16_384; i++) {
                int at = (int) (sequence & (RECORDS - 1));
                long time = START + sequence * 1_000; // 1 µs apart: a 1-s window closes every million events
                long offset = (long) at * recordLength;
                records.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, offset + JournalRecord.EVENT_OFFSET
                    + io.ferrite.protocol.EventFrame.TIMESTAMP_OFFSET, time);
                long key = (at * 7919L) % KEYS; // the record's key: every counter sees the same events
                switch (counter) {
                    case FERRITE -> {
                        view.wrap(records, offset, recordLength);
                        stage.onEvent(view, sequence, (i & 255) == 255);
                    }
                    case KAFKA_STREAMS -> input.pipeInput(key, 1L, Instant.ofEpochSecond(0, time));
                    case HASHMAP -> countInMap(key, time);
                }
                sequence++;
            }
            done.add(16_384);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] timeline = sampler.stop();
        if (counter == Counter.FERRITE) {
            System.out.printf("  %s: %,d group windows emitted so far, %,d late%n", name(), stage.closed(), stage.late());
        } else if (counter == Counter.HASHMAP) {
            System.out.printf("  %s: %,d group windows emitted so far%n", name(), emitted);
        }
        return TrialResult.of(done.sum(), seconds, null, timeline, sample.toNanos() / 1e9);
    }

    /** The baseline: one map of counters for the open window, walked and emptied when it closes. */
    private void countInMap(long key, long time) {
        long window = Math.floorDiv(time, 1_000_000_000L);
        if (window != windowOfCounts) {
            for (Map.Entry<Long, long[]> entry : counts.entrySet()) {
                emitted += entry.getValue()[0] > 0 ? 1 : 0;
            }
            counts.clear();
            windowOfCounts = window;
        }
        counts.computeIfAbsent(key, k -> new long[1])[0]++;
    }

    @Override
    public void close() {
        if (stage != null) {
            stage.onClose();
        }
        if (driver != null) {
            driver.close();
        }
        arena.close();
    }
}
