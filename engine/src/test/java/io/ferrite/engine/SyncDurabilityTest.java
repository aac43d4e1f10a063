package io.ferrite.engine;

import io.ferrite.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SYNC durability through the engine: publish returns only once the group commit covering the
 * event is done (the durable gate has passed its index), waiting up to the group's max delay, or
 * less once the group is full. The time bounds are functional (did it wait at all, did it skip the
 * wait), not performance figures.
 */
class SyncDurabilityTest {
    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment payload = arena.allocate(64);

    @AfterEach
    void freePayload() {
        arena.close();
    }

    private EngineBuilder sync(int maxBatch, Duration maxDelay) {
        return Engine.builder().journal(dir).durability(Durability.SYNC).groupCommit(maxBatch, maxDelay)
            .stage("only", (event, index, endOfBatch) -> { });
    }

    /**
     * A SYNC engine whose group committer has done its start-up sync: an earlier (ASYNC) run
     * journals one event, and the start-up sync is what moves the durable gate past it. Without
     * this, a start-up sync that happens to run after a test's first appends would cover some of
     * them and change the grouping the test is about.
     */
    private Engine startedSync(int maxBatch, Duration maxDelay) {
        long earlier;
        try (Engine async = Engine.builder().journal(dir).stage("only", (event, index, endOfBatch) -> { }).build()) {
            earlier = publish(async);
        }
        Engine engine = sync(maxBatch, maxDelay).build();
        Await.until("the group committer's start-up sync", Duration.ofSeconds(30), () -> engine.durableGate() > earlier);
        return engine;
    }

    private long publish(Engine engine) {
        long index = engine.publish(1, 1, 0, 0, payload, 0, 64);
        assertThat(index).as(PublishResult.describe(index)).isGreaterThanOrEqualTo(0);
        return index;
    }

    @Test
    void everyPublishReturnsOnlyOnceTheDurableGateHasPassedItsIndex() throws Exception {
        try (Engine engine = sync(16, Duration.ofMillis(2)).build()) {
            ExecutorService publishers = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<String>>> results = new ArrayList<>();
                for (int p = 0; p < 4; p++) {
                    results.add(publishers.submit(() -> {
                        List<String> early = new ArrayList<>();
                        for (int i = 0; i < 250; i++) {
                            long index = publish(engine);
                            long gate = engine.durableGate();
                            if (gate <= index) {
                                early.add("index " + index + " returned at gate " + gate);
                            }
                        }
                        return early;
                    }));
                }
                for (Future<List<String>> result : results) {
                    assertThat(result.get(60, TimeUnit.SECONDS)).isEmpty();
                }
            } finally {
                publishers.shutdownNow();
            }
        }
    }

    @Test
    void anInterruptedPublishStillWaitsForItsGroupCommitAndKeepsTheInterrupt() {
        try (Engine engine = startedSync(1_000, Duration.ofMillis(50))) {
            Thread.currentThread().interrupt();
            long index;
            try {
                index = publish(engine);
            } finally {
                assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();
            }
            assertThat(engine.durableGate()).as("returned only once durable").isGreaterThan(index);
        }
    }

    @Test
    void aLonePublishWaitsForTheGroupCommitDelay() {
        Duration maxDelay = Duration.ofMillis(50);
        try (Engine engine = sync(1_000, maxDelay).build()) {
            publish(engine); // the committer has started (its start-up sync) once this returns
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                long index = publish(engine);
                long took = System.nanoTime() - start;
                assertThat(took).as("publish %d took %d us", i, took / 1_000)
                    .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
                assertThat(engine.durableGate()).isGreaterThan(index);
            }
        }
    }

    @Test
    void aFullGroupIsCommittedWithoutWaitingForTheDelay() throws Exception {
        int group = 4;
        Duration maxDelay = Duration.ofSeconds(20);
        try (Engine engine = startedSync(group, maxDelay)) {
            ExecutorService publishers = Executors.newFixedThreadPool(group);
            try {
                for (int round = 0; round < 3; round++) {
                    long start = System.nanoTime();
                    List<Long> indices = concurrentRound(engine, publishers, group);
                    long took = System.nanoTime() - start;
                    assertThat(took).as("round %d: a full group took %d ms", round, took / 1_000_000)
                        .isLessThan(maxDelay.toNanos() / 4);
                    assertThat(engine.durableGate())
                        .isGreaterThan(indices.stream().mapToLong(Long::longValue).max().orElseThrow());
                }
            } finally {
                publishers.shutdownNow();
            }
        }
    }

    private List<Long> concurrentRound(Engine engine, ExecutorService publishers, int count) throws Exception {
        CyclicBarrier start = new CyclicBarrier(count);
        List<Future<Long>> results = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            results.add(publishers.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                return publish(engine);
            }));
        }
        List<Long> indices = new ArrayList<>();
        for (Future<Long> result : results) {
            indices.add(result.get(60, TimeUnit.SECONDS));
        }
        return indices;
    }

    @Test
    void offerDoesNotWaitAndCloseMakesWhatItAcceptedDurable() {
        long index;
        Engine engine = startedSync(1_000, Duration.ofMinutes(10));
        try {
            long start = System.nanoTime();
            index = engine.offer(0, 1, 1, 99, 0, 0, payload, 0, 64);
            assertThat(System.nanoTime() - start).as("offer returns without waiting for the group")
                .isLessThan(TimeUnit.SECONDS.toNanos(5));
            assertThat(index).isGreaterThanOrEqualTo(0);
            assertThat(engine.durableGate()).as("not yet durable").isLessThanOrEqualTo(index);
            assertThat(engine.offer(0, 1, 1, 99, 0, 0, payload, 0, 64)).as("a duplicate: the original's index")
                .isEqualTo(index);
        } finally {
            engine.close();
        }
        assertThat(engine.durableGate()).as("the committer's last sync on close").isGreaterThan(index);
    }

    @Test
    void withoutSyncEveryAcceptedEventCountsAsDurable() {
        try (Engine engine = Engine.builder().journal(dir).stage("only", (event, index, endOfBatch) -> { }).build()) {
            publish(engine);
            assertThat(engine.durableGate()).isEqualTo(Long.MAX_VALUE);
        }
    }
}
