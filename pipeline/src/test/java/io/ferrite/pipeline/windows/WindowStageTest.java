package io.ferrite.pipeline.windows;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.pipeline.PipelineException;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.Stages;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Window stages on a real engine: events late and out of order across a window boundary count in
 * their window within the grace and as late after it; sliding windows; the sum, min, max, mean and
 * percentiles of a field; the cap on groups; and a restart on the same journal that rebuilds the
 * open windows from the journal and emits no closed window twice.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WindowStageTest {
    /** A whole number of 10-second windows after the epoch: window boundaries fall on round seconds. */
    private static final long T0 = 1_796_000_000_000_000_000L;
    private static final long S = 1_000_000_000L;

    @TempDir
    Path dir;

    private long nextId = 1;

    @Test
    void lateEventsCountInTheirWindowWithinTheGraceAndAsLateAfterIt() throws Exception {
        Path out = dir.resolve("windows.jsonl");
        List<Stages.Built> stages = stages("""
            group-by: key
            size: 10s
            grace: 2s
            field: amount
            percentiles: true
            emit: %s
            """.formatted(out), null);
        try (Engine engine = Stages.addTo(Engine.builder().durability(Durability.MEMORY), stages).build()) {
            publish(engine, 1, T0 + S, 10);
            publish(engine, 1, T0 + 5 * S, 20);
            publish(engine, 1, T0 + 9_900_000_000L, 30);
            publish(engine, 1, T0 + 10_500_000_000L, 5);   // the next window; [0, 10) stays open for the grace
            publish(engine, 1, T0 + 8 * S, 40);            // out of order, within the grace: counts in [0, 10)
            publish(engine, 2, T0 + 12_500_000_000L, 7);   // the newest time passes 10 s + grace: [0, 10) closes
            publish(engine, 1, T0 + 9 * S, 99);            // after its window closed: late
            publish(engine, 2, T0 + 25 * S, 1);            // closes [10, 20)
            WindowStage window = Stages.windowStages(stages).getFirst();
            Await.until("two windows closed for three groups, the last event counted", Duration.ofSeconds(10),
                () -> window.closed() == 3 && window.events() == 7);
            assertThat(window.late()).isEqualTo(1);
            assertThat(window.events()).isEqualTo(7);
        }
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).contains("\"group\":1,", "\"start\":\"" + java.time.Instant.ofEpochSecond(T0 / S) + "\"",
            "\"count\":4,", "\"sum\":100,", "\"min\":10,", "\"max\":40,", "\"mean\":25,", "\"rate\":0.4", "\"p99\":40");
        assertThat(lines.get(1)).contains("\"group\":1,", "\"count\":1,", "\"sum\":5,");
        assertThat(lines.get(2)).contains("\"group\":2,", "\"count\":1,", "\"sum\":7,");
    }

    @Test
    void slidingWindowsCountAnEventInEachWindowItFallsIn() throws Exception {
        Path out = dir.resolve("sliding.jsonl");
        List<Stages.Built> stages = stages("size: 10s\nslide: 5s\nemit: " + out, null);
        try (Engine engine = Stages.addTo(Engine.builder().durability(Durability.MEMORY), stages).build()) {
            publish(engine, 3, T0 + 7 * S, 1);   // in [0, 10) and [5, 15)
            publish(engine, 3, T0 + 30 * S, 1);  // closes both (and nothing else has events)
            WindowStage window = Stages.windowStages(stages).getFirst();
            Await.until("both windows closed", Duration.ofSeconds(10), () -> window.closed() == 2);
        }
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"startNanos\":" + T0 + ",", "\"count\":1,");
        assertThat(lines.get(1)).contains("\"startNanos\":" + (T0 + 5 * S) + ",", "\"count\":1,");
    }

    @Test
    void groupsPastTheCapAreCountedTogetherAsOther() throws Exception {
        Path out = dir.resolve("capped.jsonl");
        List<Stages.Built> stages = stages("size: 10s\nmax-groups: 2\nemit: " + out, null);
        try (Engine engine = Stages.addTo(Engine.builder().durability(Durability.MEMORY), stages).build()) {
            for (long key = 1; key <= 4; key++) {
                publish(engine, key, T0 + key * S, 1);
            }
            publish(engine, 1, T0 + 20 * S, 1);
            WindowStage window = Stages.windowStages(stages).getFirst();
            Await.until("the window closed", Duration.ofSeconds(10), () -> window.closed() == 3);
            assertThat(window.overflowed()).isEqualTo(2);
        }
        assertThat(Files.readAllLines(out)).anyMatch(line -> line.contains("\"group\":\"other\"") && line.contains("\"count\":2,"));
    }

    @Test
    void aRestartRebuildsTheOpenWindowsFromTheJournalAndEmitsNoWindowTwice() throws Exception {
        Path journal = dir.resolve("journal");
        Path out = dir.resolve("restart.jsonl");
        String with = "size: 10s\ngrace: 1s\nemit: " + out;
        List<Stages.Built> first = stages(with, journal);
        try (Engine engine = Stages.addTo(Engine.builder().journal(journal).durability(Durability.ASYNC), first).build()) {
            publish(engine, 1, T0 + S, 1);
            publish(engine, 1, T0 + 11 * S, 1);  // [10, 20) opens
            publish(engine, 1, T0 + 12 * S, 1);  // ([0, 10) closed at 11 s: its end plus the grace)
            publish(engine, 1, T0 + 13 * S, 1);
            awaitHandled(engine, 4);
        }
        List<Stages.Built> second = stages(with, journal);
        try (Engine engine = Stages.addTo(Engine.builder().journal(journal).durability(Durability.ASYNC), second).build()) {
            publish(engine, 1, T0 + 15 * S, 1);  // [10, 20) has 4 events: three from before the restart, rebuilt
            publish(engine, 1, T0 + 40 * S, 1);  // closes [10, 20)
            WindowStage window = Stages.windowStages(second).getFirst();
            Await.until("[10, 20) closed", Duration.ofSeconds(10), () -> window.closed() == 1);
        }
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"startNanos\":" + T0 + ",", "\"count\":1,");
        assertThat(lines.get(1)).contains("\"startNanos\":" + (T0 + 10 * S) + ",", "\"count\":4,");
    }

    @Test
    void mistakesNameTheStageLineAndOption() {
        assertThatThrownBy(() -> stages("size: 10s\nslide: 3s", null)).isInstanceOf(PipelineException.class)
            .hasMessageContaining("w.yaml:2: stage w: with.slide: must divide size");
        assertThatThrownBy(() -> stages("slide: 3s", null)).hasMessageContaining("with.size: missing");
        assertThatThrownBy(() -> stages("size: 10s\ncolour: red", null)).hasMessageContaining("with.colour: unknown option");
        assertThatThrownBy(() -> stages("size: 10s\npercentiles: true", null)).hasMessageContaining("needs a field");
        assertThatThrownBy(() -> stages("size: 10s\nemit: kafka:nowhere", null)).hasMessageContaining("kafka:HOST:PORT/TOPIC");
    }

    private List<Stages.Built> stages(String with, Path journal) throws IOException {
        String indented = with.lines().map(line -> "      " + line).reduce("", (a, b) -> a + b + "\n");
        var pipeline = PipelineFile.parse("w.yaml", "stages:\n  - name: w\n    use: window\n    with:\n" + indented);
        return Stages.build(pipeline, Stages.loader(List.of()), journal);
    }

    private void publish(Engine engine, long key, long timestamp, long amount) {
        byte[] json = ("{\"amount\":" + amount + "}").getBytes(StandardCharsets.UTF_8);
        long id = nextId++;
        while (engine.publish(0L, 1, key, id, timestamp, 0, MemorySegment.ofArray(json), 0, json.length) < 0) {
            Thread.onSpinWait();
        }
    }

    private static void awaitHandled(Engine engine, long events) {
        Await.until(events + " events handled", Duration.ofSeconds(10),
            () -> engine.metrics().stages().getFirst().lag() == 0);
    }
}
