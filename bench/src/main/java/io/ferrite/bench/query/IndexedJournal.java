package io.ferrite.bench.query;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.sequencer.EventBatch;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.Stages;
import io.ferrite.protocol.EventFrame;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The journal the query benchmarks ask: {@value #EVENTS} events written by the engine with an index
 * stage, made once per JVM and shared (writing it takes a while), in batches of {@value #BATCH}
 * as the server journals a network read's events (one Chronicle document per batch). Event {@code i}: type
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
    static final int BATCH = 256;
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
            EventBatch batch = new EventBatch(BATCH);
            MemorySegment bodies = Arena.ofAuto().allocate((long) BATCH * 128);
            long[] offsets = new long[BATCH];
            int[] lengths = new int[BATCH];
            for (int first = 0; first < EVENTS; first += BATCH) {
                int count = Math.min(BATCH, EVENTS - first);
                long at = 0;
                for (int k = 0; k < count; k++) {
                    int i = first + k;
                    byte[] json = ("{\"region\":\"" + REGIONS[i % 4] + "\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                    EventFrame.writeBody(bodies, at, 0, i + 1L, key(i), timestamp(i), 1 + i % 8, 0);
                    MemorySegment.copy(json, 0, bodies, ValueLayout.JAVA_BYTE, at + EventFrame.HEADER_LENGTH, json.length);
                    offsets[k] = at;
                    lengths[k] = EventFrame.HEADER_LENGTH + json.length;
                    at += lengths[k];
                }
                for (int done = 0; done < count; ) {
                    batch.reset(bodies);
                    for (int k = done; k < count; k++) {
                        batch.add(offsets[k], lengths[k]);
                    }
                    engine.offer(batch);
                    done += batch.appended();
                    if (batch.appended() == 0) {
                        Thread.onSpinWait(); // the engine is full: the index stage catches up
                    }
                }
            }
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (engine.metrics().stages().getFirst().lag() > 0) { // setup, not measured: the index takes the last events
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the index stage did not catch up within 120 s of the last event");
                }
                Thread.sleep(10); // a poll of the condition above, with its deadline
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
