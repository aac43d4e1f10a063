package io.ferrite.engine.state;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link DedupTable}'s contract: insert once, find, remove without tombstones — through colliding
 * ids, clusters that wrap around the table's end, and a long random run checked against a HashMap.
 */
class DedupTableTest {
    private DedupTable table;

    @AfterEach
    void close() {
        if (table != null) {
            table.close();
        }
    }

    /** Ids whose home slot in a table of {@code capacity} slots is {@code home}. */
    private static long[] idsWithHome(long capacity, long home, int count) {
        long[] ids = new long[count];
        int found = 0;
        for (long id = 1; found < count; id++) {
            if ((DedupTable.mix(id) & (capacity - 1)) == home) {
                ids[found++] = id;
            }
        }
        return ids;
    }

    @Test
    void anIdIsInsertedOnceAndFoundUntilRemoved() {
        table = new DedupTable(100);
        assertThat(table.get(7)).isEqualTo(DedupTable.ABSENT);
        assertThat(table.putIfAbsent(7, 70)).isEqualTo(DedupTable.ABSENT);
        assertThat(table.putIfAbsent(7, 71)).as("the first index stays").isEqualTo(70);
        assertThat(table.get(7)).isEqualTo(70);
        assertThat(table.size()).isOne();
        assertThat(table.remove(7)).isTrue();
        assertThat(table.remove(7)).isFalse();
        assertThat(table.get(7)).isEqualTo(DedupTable.ABSENT);
        assertThat(table.size()).isZero();
    }

    @Test
    void collidingIdsShareAClusterAndAnyOfThemCanLeaveWithoutLosingTheOthers() {
        table = new DedupTable(12);
        long capacity = table.capacity();
        long[] ids = idsWithHome(capacity, 3, 5);
        for (int i = 0; i < ids.length; i++) {
            assertThat(table.putIfAbsent(ids[i], 100 + i)).isEqualTo(DedupTable.ABSENT);
        }
        // remove from the middle of the cluster: a tombstone-free table must shift the rest back
        assertThat(table.remove(ids[1])).isTrue();
        assertThat(table.get(ids[1])).isEqualTo(DedupTable.ABSENT);
        for (int i : new int[] {0, 2, 3, 4}) {
            assertThat(table.get(ids[i])).as("id %d after a removal before it", i).isEqualTo(100 + i);
        }
        assertThat(table.remove(ids[0])).isTrue();
        assertThat(table.get(ids[4])).isEqualTo(104);
        assertThat(table.putIfAbsent(ids[1], 201)).as("back in after leaving").isEqualTo(DedupTable.ABSENT);
        assertThat(table.get(ids[1])).isEqualTo(201);
    }

    @Test
    void aClusterThatWrapsAroundTheEndOfTheTableStaysReachable() {
        table = new DedupTable(12);
        long capacity = table.capacity();
        long[] atEnd = idsWithHome(capacity, capacity - 1, 4);
        long[] atStart = idsWithHome(capacity, 0, 2);
        for (long id : atEnd) {
            table.putIfAbsent(id, id * 2);
        }
        for (long id : atStart) {
            table.putIfAbsent(id, id * 2);
        }
        assertThat(table.remove(atEnd[0])).isTrue(); // the entries that wrapped must move back over the end
        for (long id : new long[] {atEnd[1], atEnd[2], atEnd[3], atStart[0], atStart[1]}) {
            assertThat(table.get(id)).isEqualTo(id * 2);
        }
        assertThat(table.remove(atStart[0])).isTrue();
        assertThat(table.get(atStart[1])).isEqualTo(atStart[1] * 2);
        assertThat(table.size()).isEqualTo(4);
    }

    @Test
    void aLongRandomRunAgreesWithAHashMap() {
        table = new DedupTable(5_000);
        Map<Long, Long> expected = new HashMap<>();
        Random random = new Random(42);
        for (int step = 0; step < 500_000; step++) {
            long id = 1 + random.nextInt(8_000);
            if (random.nextInt(3) == 0) {
                assertThat(table.remove(id)).isEqualTo(expected.remove(id) != null);
            } else if (expected.size() < 5_000 || expected.containsKey(id)) {
                Long had = expected.putIfAbsent(id, (long) step);
                assertThat(table.putIfAbsent(id, step)).isEqualTo(had == null ? DedupTable.ABSENT : had);
            }
        }
        assertThat(table.size()).isEqualTo(expected.size());
        for (Map.Entry<Long, Long> entry : expected.entrySet()) {
            assertThat(table.get(entry.getKey())).isEqualTo(entry.getValue());
        }
    }

    @Test
    void sizesItsMemoryFromTheIdsItMustHold() {
        table = new DedupTable(1 << 20);
        assertThat(table.capacity()).isEqualTo(2L << 20);
        assertThat(table.byteSize()).as("32 bytes an id at the most").isLessThanOrEqualTo(32L << 20);
        assertThatThrownBy(() -> new DedupTable(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
