package io.ferrite.engine.state;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link DedupWindow}'s contract: ids stay until a bound passes them (count, then age), provisional
 * inserts roll back without costing older ids their place, and a restore from the journal's
 * newest records keeps the newest occurrence of an id and the window's bounds.
 */
class DedupWindowTest {
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);
    private DedupWindow window;

    @AfterEach
    void close() {
        if (window != null) {
            window.close();
        }
    }

    @Test
    void anIdIsADuplicateUntilTheCountBoundPassesIt() {
        window = new DedupWindow(3, HOUR, 16);
        for (long id = 1; id <= 3; id++) {
            assertThat(window.putIfAbsent(id, id * 10, 0)).isEqualTo(DedupTable.ABSENT);
        }
        window.evict(0);
        assertThat(window.putIfAbsent(2, 99, 0)).as("a duplicate keeps its original index").isEqualTo(20);
        assertThat(window.putIfAbsent(4, 40, 0)).isEqualTo(DedupTable.ABSENT);
        assertThat(window.evict(0)).isOne();
        assertThat(window.get(1)).as("the oldest left for the fourth").isEqualTo(DedupTable.ABSENT);
        assertThat(window.get(2)).isEqualTo(20);
        assertThat(window.size()).isEqualTo(3);
        assertThat(window.evictedByCount()).isOne();
        assertThat(window.putIfAbsent(1, 11, 0)).as("an evicted id is new again").isEqualTo(DedupTable.ABSENT);
    }

    @Test
    void idsOlderThanTheMaxAgeLeave() {
        window = new DedupWindow(100, TimeUnit.MILLISECONDS.toNanos(1_000), 16);
        window.putIfAbsent(1, 10, 0);
        window.putIfAbsent(2, 20, 600);
        assertThat(window.evict(900)).isZero();
        assertThat(window.evict(1_001)).as("id 1 is 1001 ms old").isOne();
        assertThat(window.get(1)).isEqualTo(DedupTable.ABSENT);
        assertThat(window.get(2)).isEqualTo(20);
        assertThat(window.evict(1_601)).isOne();
        assertThat(window.size()).isZero();
        assertThat(window.evictedByAge()).isEqualTo(2);
    }

    @Test
    void aRollbackForgetsTheProvisionalIdsAndNoOlderIdWasEvictedForThem() {
        window = new DedupWindow(3, HOUR, 16);
        for (long id = 1; id <= 3; id++) {
            window.putIfAbsent(id, id, 0);
        }
        long mark = window.mark();
        window.putIfAbsent(10, 100, 0);
        window.putIfAbsent(11, 110, 0);
        assertThat(window.size()).as("provisional ids beyond the bound, until the commit").isEqualTo(5);
        window.rollbackTo(mark);
        assertThat(window.get(10)).isEqualTo(DedupTable.ABSENT);
        assertThat(window.get(11)).isEqualTo(DedupTable.ABSENT);
        for (long id = 1; id <= 3; id++) {
            assertThat(window.get(id)).as("older id %d", id).isEqualTo(id);
        }
        assertThat(window.evict(0)).isZero();
    }

    @Test
    void moreProvisionalIdsThanTheHeadroomAreRefused() {
        window = new DedupWindow(2, HOUR, 2);
        window.putIfAbsent(1, 1, 0);
        window.putIfAbsent(2, 2, 0);
        window.putIfAbsent(3, 3, 0);
        window.putIfAbsent(4, 4, 0);
        assertThatThrownBy(() -> window.putIfAbsent(5, 5, 0)).isInstanceOf(IllegalStateException.class);
        assertThat(window.get(5)).isEqualTo(DedupTable.ABSENT);
    }

    @Test
    void theRingWrapsAroundManyTimesWithoutLosingOrder() {
        window = new DedupWindow(100, HOUR, 10);
        for (long id = 1; id <= 10_000; id++) {
            window.putIfAbsent(id, id, 0);
            window.evict(0);
        }
        assertThat(window.size()).isEqualTo(100);
        assertThat(window.get(9_900)).isEqualTo(DedupTable.ABSENT);
        assertThat(window.get(9_901)).isEqualTo(9_901);
        assertThat(window.get(10_000)).isEqualTo(10_000);
    }

    @Test
    void aRestoreKeepsTheNewestOccurrenceAndStopsAtTheBounds() {
        window = new DedupWindow(3, TimeUnit.SECONDS.toNanos(60), 16);
        // the journal read newest first: id 7 was journaled twice (after an eviction); the newest wins
        assertThat(window.restoreOlder(7, 70, 0)).isTrue();
        assertThat(window.restoreOlder(8, 60, 0)).isTrue();
        assertThat(window.restoreOlder(7, 50, 0)).isTrue();
        assertThat(window.get(7)).isEqualTo(70);
        assertThat(window.restoreOlder(9, 40, TimeUnit.SECONDS.toNanos(61))).as("older than the max age: stop")
            .isFalse();
        assertThat(window.restoreOlder(9, 40, 0)).isTrue();
        assertThat(window.restoreOlder(10, 30, 0)).as("full: stop").isFalse();
        assertThat(window.size()).isEqualTo(3);
        // what comes after the restore is newer: the oldest restored id leaves first
        window.putIfAbsent(11, 80, window.millisAt(System.nanoTime()));
        window.evict(window.millisAt(System.nanoTime()));
        assertThat(window.get(9)).isEqualTo(DedupTable.ABSENT);
        assertThat(window.get(8)).isEqualTo(60);
        assertThat(window.get(7)).isEqualTo(70);
    }

    @Test
    void restoredIdsKeepTheirAgeFromWhenTheyWereJournaled() {
        window = new DedupWindow(100, TimeUnit.SECONDS.toNanos(10), 16);
        window.restoreOlder(2, 20, TimeUnit.SECONDS.toNanos(2)); // newest first, as the journal is read
        window.restoreOlder(1, 10, TimeUnit.SECONDS.toNanos(9));
        int now = window.millisAt(System.nanoTime());
        assertThat(window.evict(now + 2_000)).as("id 1 is 11 s old two seconds later").isOne();
        assertThat(window.get(2)).isEqualTo(20);
    }

    @Test
    void takesAtMost48BytesAnId() {
        window = new DedupWindow(1 << 20, HOUR, 16_384);
        assertThat(window.byteSize() / (double) (1 << 20)).isLessThanOrEqualTo(48.0);
    }
}
