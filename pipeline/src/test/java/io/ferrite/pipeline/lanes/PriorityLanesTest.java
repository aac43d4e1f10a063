package io.ferrite.pipeline.lanes;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EventHandler;
import io.ferrite.pipeline.Route;
import io.ferrite.pipeline.RoutedStage;
import io.ferrite.testing.Await;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Priority lanes in a real engine: order, the quota, the gate they hold for the next stage, failures, wide events, allocation. */
class PriorityLanesTest {
    private static final MemorySegment PAYLOAD = MemorySegment.ofArray(new byte[16]);

    @ParameterizedTest(name = "own thread: {0}")
    @ValueSource(booleans = {false, true})
    void urgentEventsOvertakeABacklogAndTheLowestLaneGetsItsQuota(boolean ownThread) {
        GatedStage stage = new GatedStage(0, -1);
        PriorityLanes lanes = new PriorityLanes("work", new LaneSpec(64, 128, 8, ownThread), stage);
        try (Engine engine = Engine.builder().durability(Durability.MEMORY).stage("work", lanes).build()) {
            engine.publish(1, 0, 1, 3, PAYLOAD, 0, 16); // key 0: held by the handler while the backlog builds
            Await.until("the worker holds the first event", Duration.ofSeconds(10), () -> lanes.depth(3) == 0
                && lanes.finishedBelow() != PriorityLanes.NOTHING_PENDING, () -> "depth " + lanes.depth(3) + ", finished below "
                + lanes.finishedBelow());
            long held = lanes.finishedBelow();
            long id = 2;
            for (long key = 100; key < 120; key++) {
                engine.publish(1, key, id++, 3, PAYLOAD, 0, 16);
            }
            for (long key = 1; key <= 10; key++) {
                engine.publish(1, key, id++, 0, PAYLOAD, 0, 16);
            }
            if (ownThread) { // else the stage thread is the one held: the 30 wait in the journal
                Await.until("30 events wait in the lanes", Duration.ofSeconds(10), () -> lanes.depth(0) + lanes.depth(3) == 30,
                    () -> "depths " + lanes.depth(0) + "/" + lanes.depth(3) + ", finished below " + lanes.finishedBelow());
            }
            assertThat(lanes.finishedBelow()).as("the held event is the oldest unfinished").isEqualTo(held);
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos()); // the held event's wait, which its latency must show
            stage.release.countDown();
            Await.until("every event handled", Duration.ofSeconds(10), () -> stage.keys.size() == 31);
            List<Long> expected = new ArrayList<>(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 100L, 9L, 10L));
            LongStream.range(101, 120).forEach(expected::add);
            assertThat(stage.keys).containsExactlyElementsOf(expected);
            assertThat(stage.threads).containsOnly(ownThread ? "work-lanes" : "work");
            assertThat(lanes.handled(0)).isEqualTo(10);
            assertThat(lanes.handled(3)).isEqualTo(21);
            Await.until("nothing pending", Duration.ofSeconds(5), () -> lanes.finishedBelow() == PriorityLanes.NOTHING_PENDING);
            Histogram latency = engine.metrics().stages().getFirst().latency();
            assertThat(latency.getTotalCount()).as("one latency per event, recorded when finished").isEqualTo(31);
            assertThat(latency.getMaxValue()).as("the held event's latency covers its wait")
                .isGreaterThanOrEqualTo(Duration.ofMillis(5).toNanos());
        }
    }

    @Test
    void theNextStageSeesAnEventOnlyOnceTheLanesFinishedIt() { // own thread: the lanes' stage is not blocked
        GatedStage stage = new GatedStage(5, -1);
        List<Long> after = new CopyOnWriteArrayList<>();
        EventHandler next = (event, index, endOfBatch) -> after.add(event.key());
        try (Engine engine = Engine.builder().durability(Durability.MEMORY)
            .stage("work", new RoutedStage(Route.ALL, new PriorityLanes("work", LaneSpec.DEFAULT.withOwnThread(true), stage)))
            .stage("after", next).build()) {
            for (long key = 1; key <= 10; key++) {
                engine.publish(1, key, key, key < 5 ? 0 : 3, PAYLOAD, 0, 16);
            }
            Await.until("the lanes handled all but the held event", Duration.ofSeconds(10), () -> stage.keys.size() == 4);
            Await.until("the next stage caught up to the held event", Duration.ofSeconds(10), () -> after.size() == 4);
            assertThat(after).containsExactly(1L, 2L, 3L, 4L);
            assertThat(engine.metrics().stages().getFirst().lag()).isEqualTo(6);
            stage.release.countDown();
            Await.until("the next stage saw everything", Duration.ofSeconds(10), () -> after.size() == 10);
            assertThat(after).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        }
    }

    @ParameterizedTest(name = "own thread: {0}")
    @ValueSource(booleans = {false, true})
    void aFailingEventIsCountedAndTheOthersCarryOn(boolean ownThread) {
        GatedStage stage = new GatedStage(-1, 3);
        try (Engine engine = Engine.builder().durability(Durability.MEMORY).stage("work",
            new RoutedStage(Route.ALL, new PriorityLanes("work", LaneSpec.DEFAULT.withOwnThread(ownThread), stage))).build()) {
            for (long key = 1; key <= 5; key++) {
                engine.publish(1, key, key, 2, PAYLOAD, 0, 16);
            }
            Await.until("the other four handled", Duration.ofSeconds(10), () -> stage.keys.size() == 4
                && engine.metrics().stages().getFirst().lag() == 0);
            assertThat(stage.keys).containsExactly(1L, 2L, 4L, 5L);
            assertThat(engine.metrics().stages().getFirst().errors()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "own thread: {0}")
    @ValueSource(booleans = {false, true})
    void eventsLargerThanASlotTakeAWideOneAndArriveWhole(boolean ownThread) {
        List<Long> sums = new CopyOnWriteArrayList<>();
        EventHandler summing = (event, index, endOfBatch) -> {
            long sum = 0;
            for (int i = 0; i < event.payloadLength(); i++) {
                sum += event.payloadByte(i);
            }
            sums.add(sum);
        };
        PriorityLanes lanes = new PriorityLanes("work", new LaneSpec(16, 128, 8, ownThread), summing);
        try (Engine engine = Engine.builder().durability(Durability.MEMORY).stage("work", lanes).build()) {
            int[] sizes = {16, 200_000, 80, 70_000, 300_000, 16};
            long[] expected = new long[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                byte[] bytes = new byte[sizes[i]];
                for (int b = 0; b < bytes.length; b++) {
                    bytes[b] = (byte) (b % 7);
                    expected[i] += b % 7;
                }
                engine.publish(1, i, i + 1, 1, MemorySegment.ofArray(bytes), 0, bytes.length);
            }
            Await.until("all handled", Duration.ofSeconds(10), () -> sums.size() == sizes.length);
            assertThat(sums).containsExactlyElementsOf(LongStream.of(expected).boxed().toList());
        }
    }

    @ParameterizedTest(name = "own thread: {0}")
    @ValueSource(booleans = {false, true})
    void theLanePathAllocatesNothingPerEvent(boolean ownThread) {
        long[] seen = new long[1];
        EventHandler counting = (event, index, endOfBatch) -> seen[0] += event.key();
        PriorityLanes lanes = new PriorityLanes("work", LaneSpec.DEFAULT.withOwnThread(ownThread), counting);
        try (Engine engine = Engine.builder().durability(Durability.MEMORY).memoryRingBytes(64 << 20)
            .stage("work", new RoutedStage(Route.ALL, lanes)).build()) {
            long n = publish(engine, 0, 300_000); // warm up: compile both threads' paths
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long[] ids = ownThread ? new long[] {thread("work"), thread("work-lanes")} : new long[] {thread("work")};
            long fewest = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) { // a per-event allocation shows in every round
                long before = LongStream.of(threads.getThreadAllocatedBytes(ids)).sum();
                n = publish(engine, n, 1_000_000);
                fewest = Math.min(fewest, LongStream.of(threads.getThreadAllocatedBytes(ids)).sum() - before);
            }
            // one object per event would be >= 16 MB
            assertThat(fewest).as("bytes both threads allocated for 1,000,000 events through the lanes").isLessThan(1_000_000);
            assertThat(lanes.handled(0) + lanes.handled(1) + lanes.handled(2) + lanes.handled(3)).isEqualTo(n);
        }
    }

    @Test
    void aWaitingEventCostsUnderAKilobyteOfMemory() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        PriorityLanes lanes = new PriorityLanes("work", LaneSpec.DEFAULT, (event, index, endOfBatch) -> { });
        long heap = threads.getCurrentThreadAllocatedBytes() - before; // every object the lanes will ever use
        long perEvent = (heap + lanes.offHeapBytes()) / LaneSpec.DEFAULT.slots();
        System.out.printf("lanes memory: heap %,d B + off-heap %,d B for %,d waiting events = %,d B per event%n",
            heap, lanes.offHeapBytes(), LaneSpec.DEFAULT.slots(), perEvent);
        assertThat(perEvent).as("bytes per event waiting in full lanes").isLessThanOrEqualTo(1024);
        lanes.onClose();
    }

    private static long thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
            .orElseThrow().threadId();
    }

    private static long publish(Engine engine, long from, int count) {
        long n = from;
        for (int i = 0; i < count; i++) {
            n++;
            while (engine.publish(1, n, n, (int) (n % 4), PAYLOAD, 0, 16) < 0) {
                Thread.onSpinWait();
            }
        }
        Await.until("the lanes caught up", Duration.ofSeconds(30), () -> engine.metrics().stages().getFirst().lag() == 0);
        return n;
    }
}
