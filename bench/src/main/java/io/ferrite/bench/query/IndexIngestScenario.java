package io.ferrite.bench.query;

import io.ferrite.bench.suite.Metric;
import io.ferrite.bench.suite.Sampler;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.TrialResult;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.Stages;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The index stage keeping up with ingest: an embedded engine (durable journal) publishes as fast as
 * it takes events — a million distinct keys, a tag from a payload field — and the throughput is the
 * events the index stage took per second; its largest lag in the trial is printed (bounded: the
 * engine's capacity back-pressures the publisher). The peer is the same engine with a stage that
 * does nothing (what the journal and a stage cost without the index). The bytes the key table
 * takes per distinct key are printed at the end.
 *
 * <p>Thread-safety: run from the suite runner's thread; the publisher is that thread.
 */
public final class IndexIngestScenario implements Scenario {
    private final boolean index;
    private Path journal;
    private Engine engine;
    private long nextId = 1;
    private final byte[] payload = new byte[64];

    public IndexIngestScenario(boolean index) {
        this.index = index;
    }

    @Override
    public String name() {
        return index ? "index.ingest" : "index.ingest.discard-stage";
    }

    @Override
    public String group() {
        return "query";
    }

    @Override
    public String description() {
        return index ? "events/s the index stage takes (a million keys, a payload tag), engine publishing as fast as it can"
            : "the same engine with a stage that does nothing (peer)";
    }

    @Override
    public Metric metric() {
        return Metric.THROUGHPUT;
    }

    @Override
    public List<String> peers() {
        return index ? List.of("index.ingest.discard-stage") : List.of();
    }

    @Override
    public void open() throws IOException {
        journal = Files.createTempDirectory("ferrite-bench-index-");
        var pipeline = PipelineFile.parse("bench.yaml", index ? """
            stages:
              - name: index
                use: index
                with: {fields: region}
            """ : """
            stages:
              - name: discard
                use: discard
            """);
        engine = Stages.addTo(Engine.builder().journal(journal).durability(Durability.ASYNC),
            Stages.build(pipeline, Stages.loader(List.of()), journal)).build();
        publish(2_000_000); // setup: every key seen, the key table at its final size, the JIT done with it
    }

    private void publish(long events) {
        MemorySegment segment = MemorySegment.ofArray(payload);
        for (long k = 0; k < events; k++) {
            long id = nextId++;
            byte[] json = REGIONS[(int) (id & 3)];
            System.arraycopy(json, 0, payload, 0, json.length);
            while (engine.publish(0L, 1 + (int) (id & 7), id * 7919 % 1_000_000, id, 0L, 0, segment, 0, json.length) < 0) {
                Thread.onSpinWait(); // back-pressured: the stage is behind by the engine's capacity
            }
        }
    }

    @Override
    public TrialResult run(Duration duration, Duration sample) throws InterruptedException {
        var stage = engine.stageMetrics().getFirst();
        long first = stage.events().getAcquire();
        Sampler sampler = Sampler.start(() -> stage.events().getAcquire(), sample);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long maxLag = 0;
        while (System.nanoTime() < end) {
            publish(1_024);
            maxLag = Math.max(maxLag, nextId - 1 - stage.events().getAcquire()); // published, not yet handled
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] timeline = sampler.stop();
        System.out.printf("  %s: largest lag in the trial %,d events%n", name(), maxLag);
        return TrialResult.of(stage.events().getAcquire() - first, seconds, null, timeline, sample.toNanos() / 1e9);
    }

    private static final byte[][] REGIONS = {
        "{\"region\":\"eu\"}".getBytes(StandardCharsets.UTF_8), "{\"region\":\"us\"}".getBytes(StandardCharsets.UTF_8),
        "{\"region\":\"ap\"}".getBytes(StandardCharsets.UTF_8), "{\"region\":\"sa\"}".getBytes(StandardCharsets.UTF_8)};

    @Override
    public void close() throws IOException {
        if (engine != null) {
            engine.close();
        }
        if (index) {
            try (Stream<Path> keys = Files.list(journal.resolve("index"))) {
                long bytes = keys.filter(file -> file.getFileName().toString().startsWith("keys-"))
                    .mapToLong(file -> file.toFile().length()).sum();
                System.out.printf("  index.ingest: key table %,d bytes for 1,000,000 distinct keys = %.1f B per key%n",
                    bytes, bytes / 1e6);
            }
        }
        try (Stream<Path> paths = Files.walk(journal)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
