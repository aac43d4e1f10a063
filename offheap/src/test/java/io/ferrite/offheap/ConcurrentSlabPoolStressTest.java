package io.ferrite.offheap;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * N threads × M allocate/free cycles on one {@link ConcurrentSlabPool}. Each thread claims the
 * slots it gets in an owner table (a slot handed out twice fails the claim), stamps them with its
 * id, checks the stamp is intact before freeing, and holds a few at a time so the stack churns.
 */
class ConcurrentSlabPoolStressTest {
    private static final int THREADS = 4;
    private static final int CYCLES = 500_000;
    private static final int CAPACITY = 16;
    private static final int HELD_PER_THREAD = 6; // 4 x 6 > 16: exhaustion is exercised too

    @Test
    void noSlotIsHandedOutTwiceAndNoneIsLost() throws Exception {
        try (ConcurrentSlabPool pool = new ConcurrentSlabPool(SlabConfig.of(64, CAPACITY))) {
            AtomicIntegerArray owners = new AtomicIntegerArray(CAPACITY);
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService executor = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<long[]>> results = new ArrayList<>();
                for (int t = 1; t <= THREADS; t++) {
                    int threadId = t;
                    results.add(executor.submit(() -> churn(pool, owners, threadId, start)));
                }
                start.countDown();
                long allocations = 0;
                for (Future<long[]> result : results) {
                    long[] counts = result.get(120, TimeUnit.SECONDS);
                    assertThat(counts[1]).as("double hand-outs seen").isZero();
                    allocations += counts[0];
                }
                // Threads alternate allocate and free once they hold their quota: about half the cycles allocate.
                assertThat(allocations).isGreaterThanOrEqualTo((long) THREADS * CYCLES / 4);
            } finally {
                executor.shutdownNow();
            }

            assertThat(pool.available()).isEqualTo(CAPACITY);
            BitSet drained = new BitSet(CAPACITY);
            for (int i = 0; i < CAPACITY; i++) {
                int slot = pool.allocate();
                assertThat(slot).isBetween(0, CAPACITY - 1);
                assertThat(drained.get(slot)).as("slot %d twice in the free list", slot).isFalse();
                drained.set(slot);
            }
            assertThat(pool.allocate()).isEqualTo(SlabPool.EXHAUSTED);
            for (int i = 0; i < CAPACITY; i++) {
                assertThat(owners.get(i)).as("slot %d still owned", i).isZero();
            }
        }
    }

    private static long[] churn(ConcurrentSlabPool pool, AtomicIntegerArray owners, int threadId,
                                CountDownLatch start) throws InterruptedException {
        start.await();
        MemorySegment memory = pool.memory();
        int[] held = new int[HELD_PER_THREAD];
        int heldCount = 0;
        long allocations = 0;
        long doubleHandOuts = 0;
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            if (heldCount < HELD_PER_THREAD) {
                int slot = pool.allocate();
                if (slot != SlabPool.EXHAUSTED) {
                    allocations++;
                    if (!owners.compareAndSet(slot, 0, threadId)) {
                        doubleHandOuts++;
                    }
                    memory.set(ValueLayout.JAVA_LONG, pool.offset(slot), threadId * 1_000_003L + cycle);
                    memory.set(ValueLayout.JAVA_LONG, pool.offset(slot) + 56, cycle);
                    held[heldCount++] = slot;
                    continue;
                }
            }
            if (heldCount > 0) {
                int slot = held[--heldCount];
                long stamp = memory.get(ValueLayout.JAVA_LONG, pool.offset(slot));
                long stampedCycle = memory.get(ValueLayout.JAVA_LONG, pool.offset(slot) + 56);
                if (stamp != threadId * 1_000_003L + stampedCycle || !owners.compareAndSet(slot, threadId, 0)) {
                    doubleHandOuts++;
                }
                pool.free(slot);
            }
        }
        while (heldCount > 0) {
            int slot = held[--heldCount];
            if (!owners.compareAndSet(slot, threadId, 0)) {
                doubleHandOuts++;
            }
            pool.free(slot);
        }
        return new long[] {allocations, doubleHandOuts};
    }
}
