package io.ferrite.engine.state;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link DedupWindow}'s reserve/complete/cancel/evict/restore contract, persisted and in memory. */
class DedupWindowTest {
    @TempDir
    Path dir;

    private DedupWindow window;

    @AfterEach
    void closeWindow() {
        if (window != null) {
            window.close();
        }
    }

    private DedupWindow open(boolean persisted) {
        window = persisted ? DedupWindow.open(dir.resolve("dedup.dat"), 10_000) : DedupWindow.inMemory(10_000);
        return window;
    }

    @ParameterizedTest(name = "persisted={0}")
    @ValueSource(booleans = {true, false})
    void aReservationHoldsTheIdUntilCompletedThenItIsADuplicate(boolean persisted) throws Exception {
        DedupWindow w = open(persisted);
        assertThat(w.lookup(5)).isEqualTo(DedupWindow.ABSENT);
        assertThat(w.reserve(5)).isEqualTo(DedupWindow.RESERVED);
        assertThatThrownBy(() -> w.reserve(6)).as("one reservation per thread at a time")
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("eventId 5 is still reserved");

        CompletableFuture<Long> other = CompletableFuture.supplyAsync(() -> w.reserve(5));
        assertThatThrownBy(() -> other.get(300, TimeUnit.MILLISECONDS))
            .as("another publisher of the id waits while it is held").isInstanceOf(TimeoutException.class);
        assertThat(w.duplicates()).isZero();

        w.complete(5, 50);
        assertThat(other.get(30, TimeUnit.SECONDS)).as("then it sees the original index").isEqualTo(50);
        assertThat(w.lookup(5)).isEqualTo(50);
        assertThat(w.reserve(5)).isEqualTo(50);
        assertThat(w.duplicates()).isEqualTo(2);
        assertThat(w.size()).isEqualTo(1);
        assertThatThrownBy(() -> w.cancel(5)).as("nothing is reserved any more")
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("not reserved by this thread");
        assertThat(w.lookup(5)).isEqualTo(50);
    }

    @ParameterizedTest(name = "persisted={0}")
    @ValueSource(booleans = {true, false})
    void aCancelledReservationCanBeReservedAgain(boolean persisted) {
        DedupWindow w = open(persisted);
        assertThat(w.reserve(6)).isEqualTo(DedupWindow.RESERVED);
        w.cancel(6);
        assertThat(w.lookup(6)).isEqualTo(DedupWindow.ABSENT);
        assertThat(w.reserve(6)).isEqualTo(DedupWindow.RESERVED);
        w.cancel(6);
        assertThat(w.duplicates()).isZero();
    }

    @ParameterizedTest(name = "persisted={0}")
    @ValueSource(booleans = {true, false})
    void evictRemovesAnIdOnlyWhileItStillMapsToTheEvictedIndex(boolean persisted) {
        DedupWindow w = open(persisted);
        w.reserve(10);
        w.complete(10, 100);
        w.evict(10, 99);
        assertThat(w.lookup(10)).as("evict with another index").isEqualTo(100);
        w.evict(10, 100);
        assertThat(w.lookup(10)).isEqualTo(DedupWindow.ABSENT);

        // Re-published after its eviction: the janitor's later eviction of the old entry must keep the new one.
        assertThat(w.reserve(10)).isEqualTo(DedupWindow.RESERVED);
        w.complete(10, 200);
        w.evict(10, 100);
        assertThat(w.lookup(10)).isEqualTo(200);
        w.evict(11, 110);
        assertThat(w.lookup(11)).isEqualTo(DedupWindow.ABSENT);
        assertThat(w.size()).isEqualTo(1);
    }

    @ParameterizedTest(name = "persisted={0}")
    @ValueSource(booleans = {true, false})
    void restoreFillsAbsentIdsButNeverOverwritesACompletedOne(boolean persisted) {
        DedupWindow w = open(persisted);
        w.restore(8, 80);
        assertThat(w.lookup(8)).isEqualTo(80);
        w.restore(8, 81);
        assertThat(w.lookup(8)).isEqualTo(80);
        assertThat(w.reserve(8)).isEqualTo(80);
    }

    @Test
    void completedIdsSurviveACleanReopenAndACancelledReservationLeavesNothing() {
        Path file = dir.resolve("dedup.dat");
        try (DedupWindow w = DedupWindow.open(file, 10_000)) {
            for (long id = 1; id <= 100; id++) {
                w.reserve(id);
                w.complete(id, id * 3);
            }
            w.reserve(500);
            w.cancel(500);
            w.reserve(501);
            w.cancel(501);
        }
        try (DedupWindow w = DedupWindow.open(file, 10_000)) {
            for (long id = 1; id <= 100; id++) {
                assertThat(w.lookup(id)).as("id %d", id).isEqualTo(id * 3);
            }
            assertThat(w.lookup(500)).isEqualTo(DedupWindow.ABSENT);
            assertThat(w.lookup(501)).isEqualTo(DedupWindow.ABSENT);
            assertThat(w.size()).isEqualTo(100);
            assertThat(w.reserve(500)).isEqualTo(DedupWindow.RESERVED);
            w.cancel(500);
            assertThat(w.reserve(42)).isEqualTo(126);
        }
    }

    @Test
    void fourPublishersReservingOneIdConcurrentlyYieldExactlyOneReservation() throws Exception {
        DedupWindow w = open(true);
        int ids = 2_000;
        int threads = 4;
        CyclicBarrier everyId = new CyclicBarrier(threads);
        long[][] results = new long[threads][ids];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long[] mine = results[t];
                done.add(pool.submit(() -> {
                    for (int i = 0; i < ids; i++) {
                        long id = 1_000_000 + i;
                        everyId.await(30, TimeUnit.SECONDS);
                        long result = w.reserve(id);
                        mine[i] = result;
                        if (result == DedupWindow.RESERVED) {
                            w.complete(id, id * 2);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> wrong = new ArrayList<>();
        long duplicatesSeen = 0;
        for (int i = 0; i < ids; i++) {
            long id = 1_000_000 + i;
            int reserved = 0;
            for (int t = 0; t < threads; t++) {
                long result = results[t][i];
                if (result == DedupWindow.RESERVED) {
                    reserved++;
                } else if (result == id * 2) {
                    duplicatesSeen++;
                } else {
                    wrong.add("id " + id + ": thread " + t + " got " + result);
                }
            }
            if (reserved != 1) {
                wrong.add("id " + id + ": " + reserved + " reservations");
            }
            if (w.lookup(id) != id * 2) {
                wrong.add("id " + id + ": window holds " + w.lookup(id));
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(w.duplicates()).isEqualTo(duplicatesSeen);
        assertThat(w.size()).isEqualTo(ids);
    }
}
