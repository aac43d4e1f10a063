package io.ferrite.pipeline.index;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.pipeline.PipelineException;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.Stages;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The index stage over a real journal of 2.2 million events (three segments) written by the
 * engine: every query's answer is checked against the events as they were published — by key,
 * type, indexed payload field, time range, their conjunctions, an unindexed field (scanned, and
 * said so), counts — and again after the engine restarts on the same journal and takes more.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class IndexStageTest {
    private static final int EVENTS = 2_200_000;
    private static final long BASE = 1_796_000_000_000_000_000L;
    private static final String[] REGIONS = {"eu", "us", "ap"};

    @TempDir
    Path dir;

    private final int[] types = new int[EVENTS + 20_000];
    private final long[] keys = new long[types.length];
    private final long[] times = new long[types.length];
    private final String[] regions = new String[types.length];
    private final long[] indexes = new long[types.length];
    private int published;

    @Test
    void queriesAnswerAsTheJournalSaysAcrossSegmentsAndARestart() throws Exception {
        Path journal = dir.resolve("journal");
        try (Engine engine = engine(journal)) {
            publish(engine, 0, EVENTS);
            awaitIndexed(engine);
            checkQueries(journal);
        }
        try (Engine engine = engine(journal)) { // a restart: the stage resumes at its checkpoint, nothing twice
            publish(engine, EVENTS, EVENTS + 20_000);
            awaitIndexed(engine);
            checkQueries(journal);
        }
    }

    private void checkQueries(Path journal) {
        long someKey = keys[published - 1];
        long otherKey = keys[published / 2];
        long from = times[1_040_000];
        long to = times[1_060_000]; // across the first segment boundary (1,048,576)
        try (IndexReader reader = IndexReader.open(journal)) {
            check(reader, new Query(null, someKey, List.of(), List.of(), Long.MIN_VALUE, Long.MAX_VALUE, 100),
                i -> keys[i] == someKey, "index");
            check(reader, new Query(3, null, List.of(), List.of(), Long.MIN_VALUE, Long.MAX_VALUE, 100),
                i -> types[i] == 3, "index");
            check(reader, new Query(2, null, List.of("region=eu"), List.of(), Long.MIN_VALUE, Long.MAX_VALUE, 100),
                i -> types[i] == 2 && regions[i].equals("eu"), "index");
            check(reader, new Query(1, null, List.of(), List.of(), from, to, 100),
                i -> types[i] == 1 && times[i] >= from && times[i] <= to, "index");
            check(reader, new Query(null, null, List.of(), List.of(), from, to, 50),
                i -> times[i] >= from && times[i] <= to, "index");
            check(reader, new Query(null, otherKey, List.of(), List.of(new Query.FieldEquals("region", regions[published / 2])),
                Long.MIN_VALUE, Long.MAX_VALUE, 100), i -> keys[i] == otherKey && regions[i].equals(regions[published / 2]), "index");
            check(reader, new Query(null, null, List.of(), List.of(new Query.FieldEquals("n", "1234567")),
                Long.MIN_VALUE, Long.MAX_VALUE, 10), i -> i == 1_234_567, "scan: field n is not indexed");
            check(reader, new Query(null, null, List.of("nobody-gives-this"), List.of(), Long.MIN_VALUE, Long.MAX_VALUE, 10),
                i -> false, "index");
        }
    }

    /** The query's hits are the newest `limit` events `expected` picks, in journal order; its count is all of them. */
    private void check(IndexReader reader, Query query, IntPredicate expected, String how) {
        List<Long> all = new ArrayList<>();
        for (int i = 0; i < published; i++) {
            if (expected.test(i)) {
                all.add(indexes[i]);
            }
        }
        List<Long> newest = all.subList(Math.max(0, all.size() - query.limit()), all.size());
        QueryResult result = reader.run(query, false);
        assertThat(result.hits().stream().map(QueryResult.Hit::index).toList()).as(query.describe()).isEqualTo(newest);
        assertThat(result.how()).as(query.describe()).startsWith(how);
        QueryResult counted = reader.run(query, true);
        assertThat(counted.matched()).as("count of " + query.describe()).isEqualTo(all.size());
        assertThat(counted.complete()).isTrue();
    }

    private Engine engine(Path journal) {
        var pipeline = PipelineFile.parse("index.yaml", """
            stages:
              - name: index
                use: index
                with: {fields: 'region', flush: 100ms}
            """);
        return Stages.addTo(Engine.builder().journal(journal).durability(Durability.ASYNC),
            Stages.build(pipeline, Stages.loader(List.of()), journal)).build();
    }

    private void publish(Engine engine, int first, int end) {
        byte[] payload = new byte[64];
        for (int i = first; i < end; i++) {
            types[i] = 1 + i % 5;
            keys[i] = (i * 7919L) % 50_000;
            times[i] = BASE + i * 1_000L - (i % 1_000 == 0 ? 5_000_000L : 0); // now and then one 5 ms late
            regions[i] = REGIONS[(i / 3) % 3];
            int length = json(payload, regions[i], i);
            MemorySegment segment = MemorySegment.ofArray(payload);
            long index;
            while ((index = engine.publish(0L, types[i], keys[i], i + 1L, times[i], 0, segment, 0, length)) < 0) {
                Thread.onSpinWait(); // back-pressure: the stage catches up
            }
            indexes[i] = index;
            published = i + 1;
        }
    }

    private static int json(byte[] into, String region, int n) {
        byte[] text = ("{\"region\":\"" + region + "\",\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(text, 0, into, 0, text.length);
        return text.length;
    }

    private void awaitIndexed(Engine engine) {
        Await.until("the index took every event", Duration.ofSeconds(120),
            () -> engine.metrics().stages().getFirst().lag() == 0);
    }

    @Test
    void theIndexNeedsADurableJournalAndEveryEvent() {
        var pipeline = PipelineFile.parse("index.yaml", "stages:\n  - {name: index, use: index}\n");
        assertThatThrownBy(() -> Stages.build(pipeline, Stages.loader(List.of()), null)).isInstanceOf(PipelineException.class)
            .hasMessageContaining("use: index needs a durable journal");
        var routed = PipelineFile.parse("index.yaml", "stages:\n  - {name: index, use: index, route: {type: 1}}\n");
        assertThatThrownBy(() -> Stages.build(routed, Stages.loader(List.of()), dir)).isInstanceOf(PipelineException.class)
            .hasMessageContaining("index.yaml:2: stage index: use: index takes every journaled event in order");
        assertThat(Files.exists(dir.resolve("index"))).isFalse();
    }
}
