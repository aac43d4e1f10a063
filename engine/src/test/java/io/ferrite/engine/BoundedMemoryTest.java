package io.ferrite.engine;

import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slow stage bounds what publishers can pile up (MEMORY mode, small capacity): events accepted
 * but not yet handled never exceed the capacity, however hard publishers push, and refused
 * publishes cost no heap. The stage is held back by a semaphore the test releases.
 */
class BoundedMemoryTest {
    private static final int CAPACITY = 1_000;
    private static final int STEP = 250;
    private static final int PER_PUBLISHER = 10_000;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void refusedPublishesBeyondCapacityJournalNothingAndCostNoHeap() throws Exception {
        Semaphore permits = new Semaphore(0);
        AtomicLong handled = new AtomicLong();
        Engine engine = gatedEngine(permits, handled);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment payload = arena.allocate(64);
            int accepted = 0;
            while (engine.publish(1, 1, 0, 0, payload, 0, 64) >= 0) {
                accepted++;
            }
            assertThat(accepted).isEqualTo(CAPACITY);
            assertThat(lag(engine)).isEqualTo(CAPACITY);

            long before = usedHeapAfterGc();
            long notRefused = 0;
            for (int attempt = 0; attempt < 1_000_000; attempt++) {
                if (engine.publish(1, 1, 0, 0, payload, 0, 64) != PublishResult.BACK_PRESSURED) {
                    notRefused++;
                }
            }
            long growth = usedHeapAfterGc() - before;
            assertThat(notRefused).isZero();
            assertThat(growth).as("heap growth over 1M refused publishes, bytes").isLessThan(4L << 20);
            assertThat(lag(engine)).isEqualTo(CAPACITY);
            assertThat(engine.metrics().backPressured()).isEqualTo(1_000_001);

            permits.release(CAPACITY);
            Await.until("the stage drained", WAIT, () -> handled.get() == CAPACITY);
            assertThat(engine.publish(1, 1, 0, 0, payload, 0, 64)).as("room again").isGreaterThanOrEqualTo(0);
            permits.release(1);
            CloseReport report = engine.closeAndReport();
            assertThat(report.drained()).isTrue();
            assertThat(report.published()).isEqualTo(CAPACITY + 1);
        } finally {
            permits.release(Integer.MAX_VALUE / 2); // a stage blocked in acquire() would stall close()
            engine.close();
        }
    }

    @Test
    void twoPublishersNeverPileUpMoreThanCapacity() throws Exception {
        Semaphore permits = new Semaphore(0);
        AtomicLong handled = new AtomicLong();
        Engine engine = gatedEngine(permits, handled);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment payload = arena.allocate(64);
            // Two publishers try until each had PER_PUBLISHER events accepted.
            LongAdder accepted = new LongAdder();
            LongAdder refused = new LongAdder();
            List<String> unexpected = new ArrayList<>();
            List<Thread> publishers = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                publishers.add(Thread.ofPlatform().name("publisher-" + p).start(() -> {
                    int mine = 0;
                    for (long attempt = 0; mine < PER_PUBLISHER && attempt < 500_000_000L; attempt++) {
                        long result = engine.publish(1, 1, 0, 0, payload, 0, 64);
                        if (result >= 0) {
                            mine++;
                            accepted.increment();
                        } else if (result == PublishResult.BACK_PRESSURED) {
                            refused.increment();
                        } else {
                            synchronized (unexpected) {
                                unexpected.add(PublishResult.describe(result));
                            }
                            return;
                        }
                    }
                }));
            }
            // The stage is let through STEP events at a time; before each step, once it has used up
            // the last one and the publishers have refilled the queue, the queue depth is checked.
            long released = 0;
            long maxLag = 0;
            List<Long> overCapacity = new ArrayList<>();
            while (handled.get() < 2L * PER_PUBLISHER) {
                long step = released;
                Await.until("stage stalled with a full queue", WAIT,
                    () -> handled.get() == step && (lag(engine) >= CAPACITY || publishers.stream().noneMatch(Thread::isAlive)),
                    () -> "handled " + handled.get() + " of " + step + " released, lag " + lag(engine));
                long lag = lag(engine);
                maxLag = Math.max(maxLag, lag);
                if (lag > CAPACITY) {
                    overCapacity.add(lag);
                }
                permits.release(STEP);
                released += STEP;
            }
            for (Thread publisher : publishers) {
                assertThat(publisher.join(WAIT)).isTrue();
            }
            assertThat(unexpected).isEmpty();
            assertThat(overCapacity).as("accepted-but-unhandled events above capacity %d", CAPACITY).isEmpty();
            assertThat(maxLag).isEqualTo(CAPACITY);
            assertThat(accepted.sum()).isEqualTo(2L * PER_PUBLISHER);
            assertThat(handled.get()).isEqualTo(2L * PER_PUBLISHER);
            assertThat(refused.sum()).as("publishers were pushed back").isPositive();
            assertThat(engine.metrics().backPressured()).isEqualTo(refused.sum());
            assertThat(engine.closeAndReport().drained()).isTrue();
        } finally {
            permits.release(Integer.MAX_VALUE / 2); // a stage blocked in acquire() would stall close()
            engine.close();
        }
    }

    /** MEMORY mode, capacity CAPACITY, no dedup; its one stage takes a permit per event. */
    private static Engine gatedEngine(Semaphore permits, AtomicLong handled) {
        EventHandler gated = (event, index, endOfBatch) -> {
            permits.acquire();
            handled.incrementAndGet();
        };
        return Engine.builder().durability(Durability.MEMORY).capacity(CAPACITY).memoryRingBytes(1 << 20)
            .dedupWindow(0, Duration.ofMinutes(1)).stage("gated", gated).build();
    }

    private static long lag(Engine engine) {
        return engine.metrics().stages().getFirst().lag();
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
