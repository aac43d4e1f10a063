package io.ferrite.pipeline.lanes;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;
import io.ferrite.pipeline.Route;
import io.ferrite.pipeline.RoutedStage;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link LanesCrashTest} kills: a durable engine whose stage has priority lanes (the
 * lowest served last) and a handler that appends each key it finishes to {@code handled.txt}. Key 1
 * waits until every event is published, so the rest queue up; key {@value #STUCK}, the only priority-3 event, waits
 * in its lane until the others are done and then never finishes. Prints READY once the 99 others
 * are finished, then waits to be killed.
 */
public final class LanesCrashChild {
    static final int COUNT = 100;
    static final long STUCK = 50;

    private LanesCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path handled = dir.resolve("handled.txt");
        CountDownLatch published = new CountDownLatch(1);
        CountDownLatch othersFinished = new CountDownLatch(COUNT - 1);
        EventHandler appending = new EventHandler() {
            @Override
            public void onEvent(EventView event, long index, boolean endOfBatch) throws Exception {
                if (event.key() == 1 && !published.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the events were not published within 60 s");
                }
                if (event.key() == STUCK) {
                    new CountDownLatch(1).await(); // never finishes: the process is killed first
                }
                Files.writeString(handled, event.key() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
                othersFinished.countDown();
            }
        };
        Engine engine = Engine.builder().journal(dir.resolve("journal")).durability(Durability.ASYNC).checkpointEvery(1)
            .stage("work", new RoutedStage(Route.ALL, new PriorityLanes("work", new LaneSpec(256, 128, 1_000, false), appending))).build();
        MemorySegment payload = MemorySegment.ofArray(new byte[8]);
        for (long key = 1; key <= COUNT; key++) {
            if (engine.publish(1, key, key, key == STUCK ? 3 : 0, payload, 0, 8) < 0) {
                throw new IllegalStateException("event " + key + " was not accepted");
            }
        }
        published.countDown();
        if (!othersFinished.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("only " + (COUNT - 1 - othersFinished.getCount()) + " events finished in 60 s");
        }
        System.out.println("READY");
        System.out.flush();
        new CountDownLatch(1).await(); // until the test kills this process
    }
}
