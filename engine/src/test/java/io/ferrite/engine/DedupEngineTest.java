package io.ferrite.engine;

import io.ferrite.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dedup window through the engine: it outlives a restart, and its janitor bounds it by count
 * and by age. To see whether the janitor has evicted an id, a test re-publishes that id: while the
 * id is still in the window that publish is a duplicate, which journals nothing, so the probe
 * changes no state (beyond the duplicates counter) until the eviction it waits for has happened.
 */
class DedupEngineTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment payload = arena.allocate(64);

    @AfterEach
    void freePayload() {
        arena.close();
    }

    private long publish(Engine engine, long eventId) {
        long index = engine.publish(3, eventId, eventId, 0, payload, 0, 16);
        assertThat(index).as("publish of id %d: %s", eventId, PublishResult.describe(index)).isGreaterThanOrEqualTo(0);
        return index;
    }

    /** Re-publishes {@code eventId} until the engine stops answering with {@code originalIndex}. */
    private long publishUntilAcceptedAnew(Engine engine, long eventId, long originalIndex) {
        long[] result = {originalIndex};
        Await.until("id " + eventId + " was evicted and journaled anew", WAIT,
            () -> (result[0] = publish(engine, eventId)) != originalIndex);
        return result[0];
    }

    @Test
    void aDuplicateAcrossARestartReturnsTheOriginalIndexAndIsHandledOnce() {
        RecordingHandler before = new RecordingHandler();
        long original;
        try (Engine engine = Engine.builder().journal(dir).stage("only", before).build()) {
            original = publish(engine, 4242);
            before.awaitCount(1, 30);
        }
        RecordingHandler after = new RecordingHandler();
        long other;
        try (Engine engine = Engine.builder().journal(dir).stage("only", after).build()) {
            assertThat(publish(engine, 4242)).isEqualTo(original);
            assertThat(engine.metrics().duplicates()).isEqualTo(1);
            other = publish(engine, 4343);
            after.awaitCount(1, 30);
            CloseReport report = engine.closeAndReport();
            assertThat(report.published()).as("the duplicate appended nothing: the original and one new event")
                .isEqualTo(2);
        }
        assertThat(other).isGreaterThan(original);
        assertThat(before.seen()).extracting(RecordingHandler.Seen::eventId).containsExactly(4242L);
        assertThat(after.seen()).extracting(RecordingHandler.Seen::eventId).containsExactly(4343L);
    }

    /**
     * The state a kill -9 leaves between journaling an event and recording its id: ids in the
     * journal, not in the window. The restarted engine must restore them before it accepts a
     * publish (restoring them later, on the janitor thread, let a re-sent id be journaled twice).
     */
    @Test
    void idsJournaledButNotInTheWindowAreRestoredBeforeTheFirstPublish() {
        int count = 2_000;
        long[] original = new long[count + 1];
        try (Engine engine = Engine.builder().journal(dir).dedupWindow(0, Duration.ofMinutes(5))
                .stage("only", new RecordingHandler()).build()) {
            for (int id = 1; id <= count; id++) {
                original[id] = publish(engine, id);
            }
        }
        try (Engine engine = Engine.builder().journal(dir).stage("only", new RecordingHandler()).build()) {
            for (int id = count; id >= 1; id--) {
                assertThat(publish(engine, id)).as("re-sent id %d", id).isEqualTo(original[id]);
            }
            assertThat(engine.metrics().duplicates()).isEqualTo(count);
            assertThat(engine.closeAndReport().published()).as("nothing journaled again").isEqualTo(count);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Durability.class, names = {"ASYNC", "MEMORY"})
    void theWindowKeepsOnlyTheNewestMaxEntriesIds(Durability durability) {
        RecordingHandler handler = new RecordingHandler();
        try (Engine engine = Engine.builder().journal(dir).durability(durability).memoryRingBytes(1 << 20)
                .dedupWindow(10, Duration.ofMinutes(5)).stage("only", handler).build()) {
            long[] index = new long[51];
            for (int id = 1; id <= 50; id++) {
                index[id] = publish(engine, id);
            }
            // Id 40 leaves once ten newer ids (41..50) are held.
            long again40 = publishUntilAcceptedAnew(engine, 40, index[40]);
            assertThat(again40).isGreaterThan(index[50]);
            // The window now holds 42..50 and the new 40 (41 left for it).
            for (int id = 42; id <= 50; id++) {
                assertThat(engine.publish(3, id, id, 0, payload, 0, 16)).as("id %d is still a duplicate", id)
                    .isEqualTo(index[id]);
            }
            long again1 = publish(engine, 1);
            assertThat(again1).as("id 1, evicted long ago, is journaled anew").isGreaterThan(again40);
            assertThat(publish(engine, 50)).as("id 50 is still a duplicate").isEqualTo(index[50]);
            handler.awaitCount(52, 30);
            CloseReport report = engine.closeAndReport();
            assertThat(report.published()).isEqualTo(52);
        }
        assertThat(handler.seen()).extracting(RecordingHandler.Seen::eventId)
            .hasSize(52).startsWith(1L, 2L, 3L).endsWith(49L, 50L, 40L, 1L);
    }

    @ParameterizedTest
    @EnumSource(value = Durability.class, names = {"ASYNC", "MEMORY"})
    void anIdIsForgottenOnceOlderThanMaxAge(Durability durability) {
        Duration maxAge = Duration.ofMillis(200);
        RecordingHandler handler = new RecordingHandler();
        try (Engine engine = Engine.builder().journal(dir).durability(durability).memoryRingBytes(1 << 20)
                .dedupWindow(1_000, maxAge).stage("only", handler).build()) {
            long start = System.nanoTime();
            long first = publish(engine, 7);
            long again = publish(engine, 7);
            long elapsed = System.nanoTime() - start;
            // An id's age counts from the append that journaled it, after the publish began.
            assertThat(again == first || elapsed >= maxAge.toNanos())
                .as("re-published %d ns after the first publish: %s", elapsed, PublishResult.describe(again)).isTrue();

            long anew = publishUntilAcceptedAnew(engine, 7, first);
            long forgottenAfter = System.nanoTime() - start;
            assertThat(anew).isGreaterThan(first);
            assertThat(forgottenAfter).as("an id is kept at least maxAge").isGreaterThanOrEqualTo(maxAge.toNanos());
            assertThat(publish(engine, 7)).as("the new entry is a duplicate again").isEqualTo(anew);
            handler.awaitCount(2, 30);
        }
        assertThat(handler.seen()).extracting(RecordingHandler.Seen::eventId).containsExactly(7L, 7L);
    }
}
