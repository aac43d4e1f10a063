package io.ferrite.pipeline.actions;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineMetrics;
import io.ferrite.pipeline.Pipeline;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.Stages;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Actions against a real HTTP receiver on loopback that answers 200, 500, 404, 429 with
 * Retry-After and stalls: retries with backoff, timeouts, dead letters, the parallelism cap, the
 * circuit breaker, and the next stage waiting for each event's actions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ActionStageTest {
    private static final MemorySegment PAYLOAD = MemorySegment.ofArray(new byte[] {1, 2, 3, 4});

    @TempDir
    Path dir;

    private Pipeline pipeline(String action, String stageOptions) {
        return PipelineFile.parse("a.yaml", "actions:\n  - name: hook\n" + action.indent(4) + """
            stages:
              - name: notify
                actions: [hook]
                route: {type: 1}
            """ + stageOptions);
    }

    private List<Stages.Built> built;

    private Engine start(Pipeline pipeline, List<Long> after) {
        built = Stages.build(pipeline, Stages.loader(List.of()));
        return Stages.addTo(Engine.builder().journal(dir.resolve("journal")).durability(Durability.ASYNC), built)
            .stage("after", (event, index, endOfBatch) -> after.add(event.key())).build();
    }

    private static EngineMetrics.Stage stage(Engine engine) {
        return engine.metrics().stages().getFirst();
    }

    @Test
    void everyEventReachesTheReceiverWithItsIdempotencyKeyAndTheNextStageWaitsForIt() throws Exception {
        List<Long> after = new CopyOnWriteArrayList<>();
        try (Receiver receiver = new Receiver().working(20);
             Engine engine = start(pipeline("http: {url: '%s'}".formatted(receiver.url()), ""), after)) {
            for (long key = 1; key <= 20; key++) {
                engine.publish(key == 7 ? 2 : 1, key, 1000 + key, 0, PAYLOAD, 0, 4); // key 7 is type 2: no action
            }
            Await.until("19 calls and the next stage saw all 20", Duration.ofSeconds(20),
                () -> receiver.calls() == 19 && after.size() == 20, () -> receiver.calls() + " calls, after " + after);
            assertThat(receiver.callsByKey).hasSize(19).containsKey("1001-hook").doesNotContainKey("1007-hook");
            assertThat(receiver.bodies).anyMatch(body -> body.contains("\"eventId\":1001") && body.contains("\"key\":1")
                && body.contains("\"payload\":\"AQIDBA==\"") && body.contains("\"idempotencyKey\":\"1001-hook\""));
            assertThat(after).containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());
        }
    }

    @Test
    void failuresAreRetriedAndThoseThatGiveUpAreDeadLettered() throws Exception {
        List<Long> after = new CopyOnWriteArrayList<>();
        try (Receiver receiver = new Receiver().answering((key, attempt) -> switch ((int) key) {
            case 1 -> attempt <= 2 ? 500 : 200;     // recovers on the third attempt
            case 2 -> 500;                          // never: gives up after 3
            case 3 -> 404;                          // not retried
            case 4 -> attempt == 1 ? 429 : 200;     // Retry-After: 1 (second)
            case 5 -> attempt == 1 ? -1 : 200;      // stalls past the timeout once
            case 6 -> attempt == 1 ? -2 : 200;      // drops the connection unanswered once
            default -> 200;
        });
             Engine engine = start(pipeline("""
                 http: {url: '%s'}
                 timeout: 300ms
                 retries: {attempts: 3, base: 10ms, cap: 50ms}
                 breaker: {failures: 0}
                 """.formatted(receiver.url()), ""), after)) {
            for (long key = 1; key <= 6; key++) {
                engine.publish(1, key, key, 0, PAYLOAD, 0, 4);
            }
            Await.until("every event's action done or given up", Duration.ofSeconds(30), () -> after.size() == 6,
                () -> "calls " + receiver.callsByKey);
            assertThat(receiver.counts()).isEqualTo(java.util.Map.of("1-hook", 3, "2-hook", 3, "3-hook", 1, "4-hook", 2,
                "5-hook", 2, "6-hook", 2));
            List<Long> retryAfter = receiver.timesByKey.get("4-hook");
            assertThat(retryAfter.get(1) - retryAfter.get(0)).as("429 Retry-After: 1 was honoured")
                .isGreaterThanOrEqualTo(900_000_000L);
            List<Long> stalled = receiver.timesByKey.get("5-hook");
            assertThat(stalled.get(1) - stalled.get(0)).as("the stalled attempt timed out first").isGreaterThanOrEqualTo(250_000_000L);
            Await.until("the figures are in", Duration.ofSeconds(5), () -> stage(engine).deadLettered() == 2);
            assertThat(stage(engine).errors()).as("the two that gave up").isEqualTo(2);
            ActionStage actions = (ActionStage) ((io.ferrite.pipeline.RoutedStage) built.getFirst().stage()).handler();
            assertThat(actions.figures("hook")).as("succeeded, failed attempts, retried, timed out, dead-lettered")
                .containsExactly(4, 9, 7, 1, 2); // attempts failed: 2 + 3 + 1 + 1 + 1 + 1; retried: 2 + 2 + 0 + 1 + 1 + 1
        }
    }

    @Test
    void theParallelismCapHolds() throws Exception {
        List<Long> after = new CopyOnWriteArrayList<>();
        try (Receiver receiver = new Receiver().working(100);
             Engine engine = start(pipeline("http: {url: '%s'}\nmax-parallelism: 8".formatted(receiver.url()), ""), after)) {
            long start = System.nanoTime();
            for (long key = 1; key <= 40; key++) {
                engine.publish(1, key, key, 0, PAYLOAD, 0, 4);
            }
            Await.until("40 calls done", Duration.ofSeconds(30), () -> after.size() == 40);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(receiver.maxConcurrent.get()).as("calls the receiver served at once").isEqualTo(8);
            ActionStage actions = Stages.actionStages(built).getFirst();
            assertThat(actions.durationNanos("hook", 50)).as("an attempt's duration covers the receiver's 100 ms")
                .isBetween(100_000_000L, 5_000_000_000L);
            assertThat(seconds).as("40 calls of 100 ms, 8 at a time, take at least 0.5 s").isGreaterThanOrEqualTo(0.45);
        }
    }

    @Test
    void anOpenBreakerHoldsCallsBackUntilItsProbe() throws Exception {
        List<Long> after = new CopyOnWriteArrayList<>();
        try (Receiver receiver = new Receiver().answering((key, attempt) -> attempt <= 4 ? 500 : 200);
             Engine engine = start(pipeline("""
                 http: {url: '%s'}
                 retries: {attempts: 100, base: 1ms, cap: 5ms}
                 breaker: {failures: 3, open-for: 600ms}
                 """.formatted(receiver.url()), ""), after)) {
            engine.publish(1, 1, 1, 0, PAYLOAD, 0, 4);
            Await.until("the event's action succeeded", Duration.ofSeconds(20), () -> after.size() == 1);
            List<Long> times = receiver.callTimes;
            assertThat(times).hasSize(5);
            // calls 1-3 fail and open the breaker; call 4, the probe, waits out open-for; it fails and
            // opens it again; call 5, the next probe, succeeds
            assertThat(times.get(3) - times.get(2)).as("the first probe waited").isGreaterThanOrEqualTo(500_000_000L);
            assertThat(times.get(4) - times.get(3)).as("the second probe waited").isGreaterThanOrEqualTo(500_000_000L);
        }
    }

    @Test
    void mistakesInActionsAreNamedByLine() {
        assertThatThrownBy(() -> PipelineFile.parse("a.yaml", "actions:\n  - name: a\n    http: {url: ftp://x}\n"
            + "stages:\n  - {name: s, actions: [a]}\n")).hasMessageContaining("a.yaml:3: actions[0].http.url: expected an"
            + " http(s) URL");
        assertThatThrownBy(() -> PipelineFile.parse("a.yaml", "stages:\n  - {name: s, actions: [nope]}\n"))
            .hasMessageContaining("a.yaml:2: stages[0].actions: no action 'nope'");
        assertThatThrownBy(() -> PipelineFile.parse("a.yaml", "actions:\n  - name: a\n    log: info\n    file: x\n"
            + "stages:\n  - {name: s, actions: [a]}\n")).hasMessageContaining("a.yaml:2: actions[0]: say what the action"
            + " does, once");
        assertThatThrownBy(() -> PipelineFile.parse("a.yaml", "actions:\n  - name: a\n    log: info\n    timeout: soon\n"
            + "stages:\n  - {name: s, actions: [a]}\n")).hasMessageContaining("a.yaml:4: actions[0].timeout: expected a"
            + " duration");
        assertThatThrownBy(() -> PipelineFile.parse("a.yaml", "actions:\n  - name: a\n    log: info\n"
            + "stages:\n  - {name: s, use: log, actions: [a]}\n")).hasMessageContaining("stages[0].actions: a stage runs a"
            + " handler (use:) or actions, not both");
    }

    @Test
    void theLedgerKeepsAReplayFromFiringCompletedActionsAgain() throws Exception {
        List<Long> after = new CopyOnWriteArrayList<>();
        Path state = dir.resolve("action-state");
        try (Receiver receiver = new Receiver()) {
            Pipeline pipeline = pipeline("http: {url: '%s'}".formatted(receiver.url()), "");
            for (int pass = 1; pass <= 2; pass++) {
                int run = pass;
                List<Stages.Built> stages = Stages.build(pipeline, Stages.loader(List.of()), state);
                try (Engine engine = Stages.addTo(Engine.builder().journal(dir.resolve("journal"))
                    .durability(Durability.ASYNC), stages).stage("after", (event, index, endOfBatch) -> after.add(event.key()))
                    .build()) {
                    if (run == 1) {
                        for (long key = 1; key <= 20; key++) {
                            engine.publish(1, key, key, 0, PAYLOAD, 0, 4);
                        }
                    }
                    int seen = 20 * run; // the second run's stages replay the journal from its start
                    ActionStage actions = Stages.actionStages(stages).getFirst();
                    Await.until("run " + run + ": the next stage saw the events", Duration.ofSeconds(20),
                        () -> after.size() == seen && actions.suppressed() == (run - 1) * 20L,
                        () -> after.size() + " seen, " + actions.suppressed() + " suppressed, " + receiver.calls() + " calls");
                }
                if (run == 1) { // forget every checkpoint: the restarted stages replay the whole journal
                    java.nio.file.Files.delete(dir.resolve("journal").resolve("state").resolve("checkpoints.dat"));
                }
            }
            assertThat(receiver.calls()).as("each action fired once across the two runs").isEqualTo(20);
        }
    }
}
