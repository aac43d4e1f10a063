package io.ferrite.pipeline;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.engine.metrics.Metric;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A pipeline run by a real engine: each stage gets exactly what its route matches, counted, without allocating. */
class StagesTest {
    @Test
    void eachStageSeesWhatItsRouteMatches() {
        Pipeline pipeline = PipelineFile.parse("t.yaml", """
            stages:
              - name: all
                use: io.ferrite.pipeline.RecordingStage
                with: {log: all}
              - name: types-1-2
                use: io.ferrite.pipeline.RecordingStage
                with: {log: types}
                route: {type: [1, 2]}
              - name: urgent
                use: io.ferrite.pipeline.RecordingStage
                with: {log: urgent}
                route: {priority: 0, type: {min: 2}}
            """);
        List<Stages.Built> stages = Stages.build(pipeline, Stages.loader(List.of()));
        EngineBuilder builder = Engine.builder().durability(Durability.MEMORY).memoryRingBytes(8 << 20);
        try (Engine engine = Stages.addTo(builder, stages).build()) {
            Stages.registerInto(engine.metricRegistry(), stages);
            MemorySegment payload = MemorySegment.ofArray(new byte[8]);
            int n = 0;
            for (int type = 1; type <= 3; type++) {
                for (int priority = 0; priority <= 3; priority++) {
                    engine.publish(type, ++n, n, priority, payload, 0, 8);
                }
            }
            Await.until("every stage handled the 12 events", Duration.ofSeconds(10),
                () -> RecordingStage.SEEN.get("all").size() == 12 && stages.getLast().stage().matched()
                    + stages.getLast().stage().passed() == 12);
            assertThat(RecordingStage.SEEN.get("types")).containsExactly("1/0", "1/1", "1/2", "1/3", "2/0", "2/1", "2/2", "2/3");
            assertThat(RecordingStage.SEEN.get("urgent")).containsExactly("2/0", "3/0");
            Map<String, Long> metrics = Arrays.stream(engine.metricRegistry().metrics())
                .collect(Collectors.toMap(Metric::displayName, Metric::read));
            assertThat(metrics).containsEntry("ferrite_route_matched{stage=\"urgent\"}", 2L)
                .containsEntry("ferrite_route_passed{stage=\"urgent\"}", 10L)
                .containsEntry("ferrite_route_matched{stage=\"all\"}", 12L);
            assertThat(engine.metrics().stages().getFirst().latency().getTotalCount())
                .as("a routed stage without lanes is a plain stage: latency per event on the stage thread").isEqualTo(12);
        }
    }

    @Test
    void aRouteOnTheTimestampTakesTheEventsOfItsWindow() {
        Pipeline pipeline = PipelineFile.parse("t.yaml", """
            stages:
              - name: december
                use: io.ferrite.pipeline.RecordingStage
                with: {log: december}
                route: {timestamp: {min: 2026-12-01T00:00:00Z, max: 2026-12-31T23:59:59.999999999Z}}
            """);
        List<Stages.Built> stages = Stages.build(pipeline, Stages.loader(List.of()));
        try (Engine engine = Stages.addTo(Engine.builder().durability(Durability.MEMORY).memoryRingBytes(8 << 20), stages)
            .build()) {
            MemorySegment payload = MemorySegment.ofArray(new byte[8]);
            long[] stamps = {instant("2026-11-30T23:59:59.999999999Z"), instant("2026-12-01T00:00:00Z"),
                instant("2026-12-15T12:00:00Z"), instant("2027-01-01T00:00:00Z")};
            for (int i = 0; i < stamps.length; i++) {
                engine.publish(0, i + 1, i, i + 1, stamps[i], 0, payload, 0, 8); // type i + 1 names the event
            }
            Await.until("the stage passed over or took all four", Duration.ofSeconds(10),
                () -> stages.getFirst().stage().matched() + stages.getFirst().stage().passed() == 4);
            assertThat(RecordingStage.SEEN.get("december")).containsExactly("2/0", "3/0");
        }
    }

    private static long instant(String text) {
        java.time.Instant instant = java.time.Instant.parse(text);
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    @Test
    void routingAllocatesNothingPerEvent() throws Exception {
        Pipeline pipeline = PipelineFile.parse("t.yaml", """
            stages:
              - name: some
                use: discard
                route: {type: [1, 3, 5, 7], priority: {max: 1}, key: {min: 0, max: 1000000}, payload: [{at: 8, u32: {max: 100}}]}
            """);
        List<Stages.Built> stages = Stages.build(pipeline, Stages.loader(List.of()));
        try (Engine engine = Stages.addTo(Engine.builder().durability(Durability.MEMORY).memoryRingBytes(64 << 20),
            stages).build()) {
            MemorySegment payload = MemorySegment.ofArray(new byte[16]);
            long n = publish(engine, payload, 0, 300_000); // warm up: compile the stage path
            Thread stage = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("some")) // a fused stage thread is named after its stage
                .findFirst().orElseThrow();
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long fewest = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) { // the fewest of three: a per-event allocation shows in every round
                long before = threads.getThreadAllocatedBytes(stage.threadId());
                n = publish(engine, payload, n, 1_000_000);
                fewest = Math.min(fewest, threads.getThreadAllocatedBytes(stage.threadId()) - before);
            }
            // one object per event would be >= 16 MB; what is left (~0.1 B/event) is the thread's background
            assertThat(fewest).as("bytes the stage thread allocated for 1,000,000 routed events").isLessThan(1_000_000);
            assertThat(stages.getFirst().stage().matched() + stages.getFirst().stage().passed()).isEqualTo(n);
        }
    }

    private static long publish(Engine engine, MemorySegment payload, long from, int count) {
        long n = from;
        for (int i = 0; i < count; i++) {
            n++;
            while (engine.publish((int) (n % 8), n, n, (int) (n % 4), payload, 0, 16) < 0) {
                Thread.onSpinWait(); // back-pressured: the stage catches up
            }
        }
        Await.until("the stage caught up", Duration.ofSeconds(30), () -> engine.metrics().stages().getFirst().lag() == 0);
        return n;
    }

    @Test
    void aStageClassThatCannotBeUsedIsNamedWithItsLine() {
        Pipeline missing = PipelineFile.parse("p.yaml", "stages:\n  - name: a\n    use: com.example.Missing\n");
        assertThatThrownBy(() -> Stages.build(missing, Stages.loader(List.of()))).isInstanceOf(PipelineException.class)
            .hasMessageStartingWith("p.yaml:2: stage a: use: no built-in stage or class 'com.example.Missing'");
        Pipeline notAStage = PipelineFile.parse("p.yaml", "stages:\n  - name: a\n    use: java.lang.String\n");
        assertThatThrownBy(() -> Stages.build(notAStage, Stages.loader(List.of())))
            .hasMessageContaining("java.lang.String does not implement io.ferrite.engine.EventHandler");
        Pipeline badOption = PipelineFile.parse("p.yaml", "stages:\n  - name: a\n    use: log\n    with: {every: 0}\n");
        assertThatThrownBy(() -> Stages.build(badOption, Stages.loader(List.of())))
            .hasMessageContaining("p.yaml:2: stage a: with.every must be a whole number of at least 1, got '0'");
        assertThatThrownBy(() -> Stages.loader(List.of(Path.of("no-such.jar")))).hasMessageContaining("--stage-jar no-such.jar: no such file");
    }
}
