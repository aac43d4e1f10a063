package io.ferrite.engine;

import io.ferrite.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restart on the same journal directory (ASYNC): a stage resumes after its stored checkpoint, so a
 * cleanly closed stage sees nothing again and a stage stopped mid-way replays exactly what it had
 * not handled, in journal order, before anything new.
 */
class RestartReplayTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment payload = arena.allocate(64);

    @AfterEach
    void freePayload() {
        arena.close();
    }

    private EngineBuilder builder() {
        return Engine.builder().journal(dir).durability(Durability.ASYNC);
    }

    private long publish(Engine engine, long seq) {
        payload.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seq);
        long index = engine.publish(1, seq % 7, 0, 0, payload, 0, 64);
        assertThat(index).as("publish %d: %s", seq, PublishResult.describe(index)).isGreaterThanOrEqualTo(0);
        return index;
    }

    private List<Long> publishRange(Engine engine, long from, long to) {
        List<Long> indices = new ArrayList<>();
        for (long seq = from; seq < to; seq++) {
            indices.add(publish(engine, seq));
        }
        return indices;
    }

    private static List<Long> indices(List<RecordingHandler.Seen> seen) {
        return seen.stream().map(RecordingHandler.Seen::index).toList();
    }

    private static List<Long> sequences(List<RecordingHandler.Seen> seen) {
        return seen.stream().map(RecordingHandler.Seen::payloadHead).toList();
    }

    @Test
    void aCleanlyClosedStageSeesNoOldEventAfterRestartAndNewIndicesAreLarger() {
        RecordingHandler before = new RecordingHandler();
        List<Long> oldIndices;
        // 250 events and checkpointEvery(1000): only the checkpoint stored on close covers them.
        try (Engine engine = builder().checkpointEvery(1_000).stage("only", before).build()) {
            oldIndices = publishRange(engine, 0, 250);
            before.awaitCount(250, 30);
            assertThat(engine.closeAndReport().drained()).isTrue();
        }
        assertThat(indices(before.seen())).containsExactlyElementsOf(oldIndices);

        RecordingHandler after = new RecordingHandler();
        List<Long> newIndices;
        try (Engine engine = builder().checkpointEvery(1_000).stage("only", after).build()) {
            assertThat(engine.metrics().published()).as("the journal's end: where indexes go on").isEqualTo(250);
            assertThat(engine.metrics().stages().getFirst().lag()).as("backlog found at start").isZero();
            newIndices = publishRange(engine, 1_000, 1_100);
            after.awaitCount(100, 30);
            CloseReport report = engine.closeAndReport();
            assertThat(report.drained()).isTrue();
            assertThat(report.published()).isEqualTo(350);
        }
        assertThat(newIndices).isSorted().allSatisfy(index -> assertThat(index).isGreaterThan(oldIndices.getLast()));
        // Old events come first in journal order: any replay would show up ahead of the new ones.
        assertThat(indices(after.seen())).containsExactlyElementsOf(newIndices);
        assertThat(sequences(after.seen())).first().isEqualTo(1_000L);
    }

    @ParameterizedTest(name = "checkpointEvery({0})")
    @ValueSource(ints = {1, 100})
    void aStageStoppedMidwayReplaysExactlyWhatItHadNotHandled(int checkpointEvery) throws Exception {
        int published = 1_000;
        int passed = 300;
        BlockingHandler stopping = new BlockingHandler(passed);
        // batchSize(1): the runner checks its running flag after every event, so the stage stops
        // right after the event it is blocked in.
        Engine engine = builder().checkpointEvery(checkpointEvery).batchSize(1).closeTimeout(Duration.ofMillis(100))
            .stage("stopping", stopping).build();
        List<Long> indices = publishRange(engine, 0, published);
        stopping.awaitBlocked(WAIT);
        BackgroundClose close = BackgroundClose.start(engine);
        close.awaitStopping(stopping.thread(), WAIT);
        stopping.release();
        CloseReport report = close.await(WAIT);

        int handled = passed + 1;
        assertThat(report.drained()).isFalse();
        assertThat(report.published()).isEqualTo(published);
        assertThat(report.unprocessed()).isEqualTo(Map.of("stopping", (long) (published - handled)));
        assertThat(indices(stopping.seen())).containsExactlyElementsOf(indices.subList(0, handled));

        RecordingHandler replaying = new RecordingHandler();
        List<Long> expected = new ArrayList<>(indices.subList(handled, published));
        try (Engine again = builder().checkpointEvery(checkpointEvery).stage("stopping", replaying).build()) {
            assertThat(again.metrics().published()).as("the journal's end").isEqualTo(published);
            assertThat(again.metrics().stages().getFirst().lag()).as("at most the backlog left at the close")
                .isLessThanOrEqualTo(published - handled);
            replaying.awaitCount(published - handled, 30);
            expected.add(publish(again, published));
            replaying.awaitCount(published - handled + 1, 30);
            CloseReport second = again.closeAndReport();
            assertThat(second.drained()).isTrue();
            assertThat(second.published()).isEqualTo(published + 1);
        }
        assertThat(indices(replaying.seen())).containsExactlyElementsOf(expected);
        assertThat(sequences(replaying.seen())).first().isEqualTo((long) handled);
    }

    @Test
    void aLaggingSecondStageReplaysItsBacklogWhileTheFirstReplaysNothing() throws Exception {
        int published = 1_000;
        int passed = 200;
        RecordingHandler first = new RecordingHandler();
        BlockingHandler second = new BlockingHandler(passed);
        Engine engine = builder().threading(StageThreading.SEPARATE).batchSize(1).closeTimeout(Duration.ofMillis(100))
            .stage("first", first).stage("second", second).build();
        List<Long> indices = publishRange(engine, 0, published);
        first.awaitCount(published, 30);
        second.awaitBlocked(WAIT);
        BackgroundClose close = BackgroundClose.start(engine);
        close.awaitStopping(second.thread(), WAIT);
        second.release();
        CloseReport report = close.await(WAIT);

        int handled = passed + 1;
        assertThat(report.drained()).isFalse();
        assertThat(report.unprocessed()).isEqualTo(Map.of("first", 0L, "second", (long) (published - handled)));
        assertThat(indices(first.seen())).containsExactlyElementsOf(indices);
        assertThat(indices(second.seen())).containsExactlyElementsOf(indices.subList(0, handled));

        // Second run: the second stage may only handle what the first has handled (in this run or
        // before). The first stage takes each new event only when the test hands it a permit, so a
        // second stage that is not gated by it would run ahead.
        long firstDoneBefore = indices.getLast();
        Semaphore firstMayGo = new Semaphore(0);
        AtomicLong firstLast = new AtomicLong(-1);
        List<String> gateViolations = new ArrayList<>();
        RecordingHandler firstAgain = new RecordingHandler();
        RecordingHandler secondAgain = new RecordingHandler();
        EventHandler firstStage = (event, index, endOfBatch) -> {
            if (index > firstDoneBefore) {
                firstMayGo.acquire();
            }
            firstAgain.onEvent(event, index, endOfBatch);
            firstLast.set(index);
        };
        EventHandler secondStage = (event, index, endOfBatch) -> {
            if (index > Math.max(firstDoneBefore, firstLast.get()) && gateViolations.size() < 10) {
                gateViolations.add("second handled " + index + " before first did");
            }
            secondAgain.onEvent(event, index, endOfBatch);
        };
        List<Long> fresh;
        // YIELD: an idle stage wakes within microseconds, well inside the first stage's wait for permits.
        try (Engine again = builder().threading(StageThreading.SEPARATE).idle(IdleKind.YIELD)
                .stage("first", firstStage).stage("second", secondStage).build()) {
            assertThat(again.metrics().published()).as("the journal's end").isEqualTo(published);
            assertThat(again.metrics().stages().getLast().lag()).as("at most the backlog left at the close")
                .isLessThanOrEqualTo(published - handled);
            secondAgain.awaitCount(published - handled, 30);
            fresh = publishRange(again, published, published + 50);
            for (int i = 0; i < 50; i++) {
                Await.until("the first stage waits for new event " + i, WAIT, firstMayGo::hasQueuedThreads);
                firstMayGo.release();
            }
            secondAgain.awaitCount(published - handled + 50, 30);
            CloseReport secondRun = again.closeAndReport();
            assertThat(secondRun.drained()).isTrue();
        }
        assertThat(gateViolations).isEmpty();
        assertThat(indices(firstAgain.seen())).containsExactlyElementsOf(fresh);
        List<Long> expectedSecond = new ArrayList<>(indices.subList(handled, published));
        expectedSecond.addAll(fresh);
        assertThat(indices(secondAgain.seen())).containsExactlyElementsOf(expectedSecond);
    }
}
