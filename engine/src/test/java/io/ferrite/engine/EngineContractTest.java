package io.ferrite.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded API's contract, for every durability mode and thread layout. */
class EngineContractTest {
    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment payload = arena.allocate(256);

    @AfterEach
    void freePayload() {
        arena.close();
    }

    static Stream<Arguments> layouts() {
        List<Arguments> all = new ArrayList<>();
        for (Durability durability : Durability.values()) {
            for (StageThreading threading : StageThreading.values()) {
                all.add(Arguments.of(durability, threading));
            }
        }
        return all.stream();
    }

    private EngineBuilder builder(Durability durability, StageThreading threading) {
        return Engine.builder().journal(dir).durability(durability).threading(threading)
            .memoryRingBytes(1 << 20).groupCommit(64, Duration.ofMillis(0));
    }

    private long publish(Engine engine, long key, long eventId, long value) {
        payload.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
        return engine.publish(7, key, eventId, (int) (value & 3), payload, 0, 64);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("layouts")
    void everyStageSeesEveryEventInJournalOrderWithItsFields(Durability durability, StageThreading threading) {
        RecordingHandler first = new RecordingHandler();
        RecordingHandler second = new RecordingHandler();
        RecordingHandler third = new RecordingHandler();
        List<Long> indices = new ArrayList<>();
        try (Engine engine = builder(durability, threading)
                .stage("first", first).stage("second", second).stage("third", third).build()) {
            for (int i = 0; i < 5_000; i++) {
                long index = publish(engine, i % 13, 0, i);
                assertThat(index).as("publish %d", i).isGreaterThanOrEqualTo(0);
                indices.add(index);
            }
            third.awaitCount(5_000, 30);
            assertThat(first.started()).isTrue();
        }
        assertThat(indices).isSorted().doesNotHaveDuplicates();
        for (RecordingHandler handler : List.of(first, second, third)) {
            List<RecordingHandler.Seen> seen = handler.seen();
            assertThat(seen).extracting(RecordingHandler.Seen::index).containsExactlyElementsOf(indices);
            for (int i = 0; i < seen.size(); i++) {
                RecordingHandler.Seen event = seen.get(i);
                assertThat(event.payloadHead()).isEqualTo(i);
                assertThat(event.key()).isEqualTo(i % 13);
                assertThat(event.type()).isEqualTo(7);
                assertThat(event.priority()).isEqualTo(i & 3);
                assertThat(event.payloadLength()).isEqualTo(64);
            }
            assertThat(handler.endOfBatchCount()).isPositive();
            assertThat(handler.closed()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("layouts")
    void eventsOfOneKeyAreHandledInPublishOrderAcrossFourPublishers(Durability durability, StageThreading threading)
        throws Exception {
        // The 4 publishers x 1M; SYNC publishers each wait for their own group commit, so a
        // few thousand events keep that case short.
        int perPublisher = durability == Durability.SYNC ? 2_000 : 1_000_000;
        Map<Long, Long> lastSeqByKey = new HashMap<>();
        List<String> violations = new ArrayList<>();
        EventHandler orderCheck = (event, index, endOfBatch) -> {
            long key = event.key();
            long seq = event.payloadLong(0);
            Long previous = lastSeqByKey.put(key, seq);
            if (previous != null && previous >= seq && violations.size() < 10) {
                violations.add("key " + key + ": " + seq + " after " + previous);
            }
        };
        RecordingHandler counter = new RecordingHandler();
        ExecutorService publishers = Executors.newFixedThreadPool(4);
        try (Engine engine = builder(durability, threading).capacity(16_384).stage("order", orderCheck)
                .stage("count", new CountingHandler(counter)).build()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> results = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                long key = p;
                results.add(publishers.submit(() -> {
                    try (Arena local = Arena.ofConfined()) {
                        MemorySegment mine = local.allocate(64);
                        go.await();
                        for (long seq = 0; seq < perPublisher; seq++) {
                            mine.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seq);
                            long index = engine.publishBlocking(1, key, 0, 0, mine, 0, 64, Duration.ofSeconds(30));
                            if (index < 0) {
                                throw new AssertionError("publish failed: " + PublishResult.describe(index));
                            }
                        }
                        return (long) perPublisher;
                    }
                }));
            }
            go.countDown();
            for (Future<Long> result : results) {
                assertThat(result.get(120, TimeUnit.SECONDS)).isEqualTo(perPublisher);
            }
            counter.awaitCount(4 * perPublisher, 60);
        } finally {
            publishers.shutdownNow();
        }
        assertThat(violations).isEmpty();
        assertThat(lastSeqByKey).containsOnlyKeys(0L, 1L, 2L, 3L).allSatisfy((key, last) ->
            assertThat(last).isEqualTo(perPublisher - 1L));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("layouts")
    void aThrowingHandlerIsReportedDeadLetteredAndTheStageCarriesOn(Durability durability, StageThreading threading) {
        LoggingErrorHandler errors = new LoggingErrorHandler();
        RecordingHandler after = new RecordingHandler();
        EventHandler poisonous = (event, index, endOfBatch) -> {
            if (event.payloadLong(0) % 10 == 3) {
                throw new IllegalStateException("poison " + (event.payloadLong(0) % 20)); // two distinct messages
            }
        };
        try (Engine engine = builder(durability, threading).errorHandler(errors)
                .stage("poisonous", poisonous).stage("after", after).build()) {
            for (int i = 0; i < 100; i++) {
                assertThat(publish(engine, 1, 1000 + i, i)).isGreaterThanOrEqualTo(0);
            }
            after.awaitCount(100, 30);
            EngineMetrics.Stage metrics = engine.metrics().stages().getFirst();
            assertThat(metrics.errors()).isEqualTo(10);
            assertThat(metrics.deadLettered()).isEqualTo(10);
            assertThat(errors.errors()).isEqualTo(10);
            assertThat(errors.distinctErrors()).isEqualTo(2);
            assertThat(engine.deadLetters().readAll())
                .hasSize(10)
                .allSatisfy(letter -> {
                    assertThat(letter.stage()).isEqualTo("poisonous");
                    assertThat(letter.error()).contains("IllegalStateException: poison");
                    assertThat((letter.eventId() - 1000) % 10).isEqualTo(3);
                });
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("layouts")
    void aDuplicateEventIdReturnsTheOriginalIndexAndIsHandledOnce(Durability durability, StageThreading threading) {
        RecordingHandler handler = new RecordingHandler();
        try (Engine engine = builder(durability, threading).stage("only", handler).build()) {
            long first = publish(engine, 1, 42, 1);
            long other = publish(engine, 1, 43, 2);
            long again = publish(engine, 1, 42, 3);
            long noId1 = publish(engine, 1, 0, 4);
            long noId2 = publish(engine, 1, 0, 4);
            assertThat(again).isEqualTo(first);
            assertThat(other).isNotEqualTo(first);
            assertThat(noId2).isNotEqualTo(noId1);
            handler.awaitCount(4, 10);
            assertThat(engine.metrics().duplicates()).isEqualTo(1);
            assertThat(engine.metrics().published()).isEqualTo(4);
        }
        assertThat(handler.seen()).extracting(RecordingHandler.Seen::eventId).containsExactly(42L, 43L, 0L, 0L);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("layouts")
    void badEventsAreRejectedAndNothingIsJournaled(Durability durability, StageThreading threading) {
        RecordingHandler handler = new RecordingHandler();
        try (Engine engine = builder(durability, threading).maxPayloadLength(128).stage("only", handler).build()) {
            assertThat(engine.publish(1, 1, 0, 4, payload, 0, 8)).isEqualTo(PublishResult.REJECTED);
            assertThat(engine.publish(1, 1, 0, -1, payload, 0, 8)).isEqualTo(PublishResult.REJECTED);
            assertThat(engine.publish(1, 1, 0, 0, payload, 0, 129)).isEqualTo(PublishResult.REJECTED);
            assertThat(engine.publish(1, 1, 0, 0, payload, 0, 128)).isGreaterThanOrEqualTo(0);
            handler.awaitCount(1, 10);
            assertThat(engine.metrics().rejected()).isEqualTo(3);
        }
        assertThat(handler.seen()).hasSize(1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("layouts")
    void aClaimIsWrittenInPlaceAndAnAbortedClaimIsNeverSeen(Durability durability, StageThreading threading) {
        RecordingHandler handler = new RecordingHandler();
        Claim claim = new Claim();
        try (Engine engine = builder(durability, threading).stage("only", handler).build()) {
            long aborted = engine.tryClaim(2, 5, 0, 1, 16, claim);
            assertThat(aborted).isGreaterThanOrEqualTo(0);
            claim.memory().set(ValueLayout.JAVA_LONG_UNALIGNED, claim.payloadOffset(), -1L);
            claim.abort();
            long index = engine.tryClaim(2, 5, 77, 1, 16, claim);
            assertThat(index).isGreaterThanOrEqualTo(0);
            assertThat(claim.payloadLength()).isEqualTo(16);
            claim.memory().set(ValueLayout.JAVA_LONG_UNALIGNED, claim.payloadOffset(), 123L);
            assertThat(claim.commit()).isEqualTo(index);
            assertThat(engine.tryClaim(2, 5, 77, 1, 16, claim)).as("duplicate id").isEqualTo(index);
            assertThat(claim.isOpen()).isFalse();
            handler.awaitCount(1, 10);
        }
        assertThat(handler.seen()).singleElement().satisfies(seen -> {
            assertThat(seen.payloadHead()).isEqualTo(123L);
            assertThat(seen.eventId()).isEqualTo(77L);
            assertThat(seen.priority()).isEqualTo(1);
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("layouts")
    void aSlowHandlerBackPressuresPublishersWithinCapacity(Durability durability, StageThreading threading)
        throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        RecordingHandler handler = new RecordingHandler();
        EventHandler slow = (event, index, endOfBatch) -> release.await();
        try (Engine engine = builder(durability, threading).capacity(100).stage("slow", slow)
                .stage("after", handler).build()) {
            int accepted = 0;
            long result = 0;
            while (accepted < 1_000) {
                result = publish(engine, 1, 0, accepted);
                if (result < 0) {
                    break;
                }
                accepted++;
            }
            assertThat(result).isEqualTo(PublishResult.BACK_PRESSURED);
            assertThat(accepted).isEqualTo(100);
            assertThat(engine.publishBlocking(1, 1, 0, 0, payload, 0, 8, Duration.ofMillis(50)))
                .isEqualTo(PublishResult.TIMED_OUT);
            assertThat(engine.metrics().backPressured()).isGreaterThanOrEqualTo(2);
            assertThat(engine.metrics().stages().getFirst().lag()).isEqualTo(100);
            release.countDown();
            handler.awaitCount(100, 30);
            assertThat(publish(engine, 1, 0, 100)).isGreaterThanOrEqualTo(0);
            handler.awaitCount(101, 30);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("layouts")
    void closeDrainsThenRefusesPublishes(Durability durability, StageThreading threading) {
        RecordingHandler handler = new RecordingHandler();
        Engine engine = builder(durability, threading).stage("only", handler).build();
        for (int i = 0; i < 2_000; i++) {
            assertThat(publish(engine, 1, 0, i)).isGreaterThanOrEqualTo(0);
        }
        CloseReport report = engine.closeAndReport();
        assertThat(report.drained()).isTrue();
        assertThat(report.published()).isEqualTo(2_000);
        assertThat(report.unprocessed()).containsEntry("only", 0L);
        assertThat(handler.count()).isEqualTo(2_000);
        assertThat(publish(engine, 1, 0, 1)).isEqualTo(PublishResult.CLOSED);
        assertThat(engine.closeAndReport()).isSameAs(report);
    }

    /** Counts into a RecordingHandler without keeping events (for big runs). */
    private record CountingHandler(RecordingHandler target) implements EventHandler {
        @Override
        public void onEvent(EventView event, long index, boolean endOfBatch) {
            target.increment();
        }
    }
}
