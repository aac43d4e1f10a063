package io.ferrite.engine;

import io.ferrite.engine.state.StateMaps;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.values.Values;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The process {@link CrashRecoveryTest} kills: publishes eventIds 1..count (ASYNC journal, dedup on)
 * through two stages; the second persists what it saw in its own Chronicle Map (eventId → index,
 * and a handled-count per eventId). Prints {@code PUBLISHED n} as it goes and {@code DONE} at the end.
 * Args: journalDir count.
 */
public final class CrashChild {
    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        Path seenFile = dir.resolve("handler-seen.dat");
        Path timesFile = dir.resolve("handler-times.dat");
        ChronicleMap<LongValue, LongValue> seen = StateMaps.openPersisted(seenFile, "seen", count * 2L);
        ChronicleMap<LongValue, LongValue> times = StateMaps.openPersisted(timesFile, "times", count * 2L);
        LongValue key = Values.newHeapInstance(LongValue.class);
        LongValue value = Values.newHeapInstance(LongValue.class);
        EventHandler persisting = (event, index, endOfBatch) -> {
            key.setValue(event.eventId());
            value.setValue(index);
            seen.put(key, value);
            LongValue previous = times.getUsing(key, Values.newHeapInstance(LongValue.class));
            value.setValue(previous == null ? 1 : previous.getValue() + 1);
            times.put(key, value);
        };
        try (Arena arena = Arena.ofConfined();
             Engine engine = Engine.builder().journal(dir).checkpointEvery(100)
                 .stage("validate", (event, index, endOfBatch) -> { })
                 .stage("persist", persisting).build()) {
            MemorySegment payload = arena.allocate(32);
            for (int id = 1; id <= count; id++) {
                payload.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, id);
                long index = engine.publishBlocking(1, id % 16, id, 0, payload, 0, 32, Duration.ofSeconds(30));
                if (index < 0) {
                    throw new IllegalStateException("publish " + id + " failed: " + PublishResult.describe(index));
                }
                if (id % 500 == 0) {
                    System.out.println("PUBLISHED " + id);
                    System.out.flush();
                }
            }
            CloseReport report = engine.closeAndReport();
            System.out.println("CLOSED " + report);
        } finally {
            StateMaps.close(seen, seenFile);
            StateMaps.close(times, timesFile);
        }
        System.out.println("DONE");
    }
}
