package io.ferrite.bench.query;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.Stages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The journal the query benchmarks ask: {@value #EVENTS} events written by the engine with an index
 * stage, made once per JVM and shared (writing it takes a while). Event {@code i}: type
 * {@code 1 + i % 8}, key {@code i × 7919 mod 1,000,000} (a million keys, ten events each), timestamp
 * {@code BASE + i µs} (ten seconds of event time), payload {@code {"region":"eu|us|ap|sa","n":i}}
 * with {@code region} indexed as a tag.
 *
 * <p>Thread-safety: {@link #get()} is synchronized.
 */
final class IndexedJournal {
    static final int EVENTS = 10_000_000;
    static final long BASE = 1_796_000_000_000_000_000L;
    static final String[] REGIONS = {"eu", "us", "ap", "sa"};
    private static Path directory;

    private IndexedJournal() {
    }

    static long key(long i) {
        return i * 7919 % 1_000_000;
    }

    static long timestamp(long i) {
        return BASE + i * 1_000;
    }

    /** The journal's directory, written at the first call (with the index complete). */
    static synchronized Path get() throws IOException {
        if (directory != null) {
            return directory;
        }
        Path journal = Files.createTempDirectory("ferrite-bench-query-");
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> delete(journal)));
        var pipeline = PipelineFile.parse("bench-index.yaml", """
            stages:
              - name: index
                use: index
                with: {fields: region}
            """);
        long started = System.nanoTime();
        try (Engine engine = Stages.addTo(Engine.builder().journal(journal).durability(Durability.ASYNC),
            Stages.build(pipeline, Stages.loader(java.util.List.of()), journal)).build()) {
            byte[] payload = new byte[64];
            MemorySegment segment = MemorySegment.ofArray(payload);
            for (int i = 0; i < EVENTS; i++) {
                byte[] json = ("{\"region\":\"" + REGIONS[i % 4] + "\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                System.arraycopy(json, 0, payload, 0, json.length);
                while (engine.publish(0L, 1 + i % 8, key(i), i + 1L, timestamp(i), 0, segment, 0, json.length) < 0) {
                    Thread.onSpinWait(); // back-pressured: the index stage catches up
                }
            }
            while (engine.metrics().stages().getFirst().lag() > 0) {
                Thread.sleep(10); // setup, not measured: the index takes the last events
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        System.out.printf("  query journal: %,d events written and indexed in %.1f s (setup)%n", EVENTS,
            (System.nanoTime() - started) / 1e9);
        directory = journal;
        return journal;
    }

    private static void delete(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
