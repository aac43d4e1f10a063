package io.ferrite.engine;

import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.JournalConfig;
import io.ferrite.engine.journal.JournalReader;
import io.ferrite.engine.journal.JournalRecord;
import io.ferrite.engine.journal.JournalTesting;
import io.ferrite.engine.state.StateMaps;
import io.ferrite.testing.ChildJvm;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.values.Values;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 mid-stream, then restart on the same directory: every journaled event is handled at least
 * once, no eventId is journaled twice (the restarted producer re-publishes everything and dedup
 * answers with the original indices), and the persisting handler recorded each id exactly once.
 */
class CrashRecoveryTest {
    private static final int COUNT = 20_000;

    @TempDir
    Path dir;

    @Test
    void killedMidStreamThenRestartedHandlesEveryJournaledEventExactlyOncePerId() throws Exception {
        Process first = startChild();
        List<String> firstOutput = new ArrayList<>();
        waitForLine(first, "PUBLISHED 5000", firstOutput, 120);
        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(firstOutput).noneMatch(line -> line.startsWith("DONE"));

        Process second = startChild();
        List<String> secondOutput = new ArrayList<>();
        waitForLine(second, "DONE", secondOutput, 180);
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).as("restarted child output: %s", secondOutput).isZero();
        assertThat(secondOutput).anyMatch(line -> line.startsWith("CLOSED CloseReport[drained=true"));

        Map<Long, Long> journaled = journaledIndexByEventId();
        assertThat(journaled).hasSize(COUNT);
        try (ChronicleMap<LongValue, LongValue> seen = StateMaps.openPersisted(dir.resolve("handler-seen.dat"), "seen", COUNT * 2L);
             ChronicleMap<LongValue, LongValue> times = StateMaps.openPersisted(dir.resolve("handler-times.dat"), "times", COUNT * 2L)) {
            assertThat(seen.longSize()).isEqualTo(COUNT);
            LongValue key = Values.newHeapInstance(LongValue.class);
            long handledMoreThanOnce = 0;
            for (long id = 1; id <= COUNT; id++) {
                key.setValue(id);
                LongValue index = seen.get(key);
                assertThat(index).as("event %d handled", id).isNotNull();
                assertThat(index.getValue()).as("event %d's index", id).isEqualTo(journaled.get(id));
                if (times.get(key).getValue() > 1) {
                    handledMoreThanOnce++;
                }
            }
            // At-least-once: only events after the last checkpoint before the kill may repeat.
            assertThat(handledMoreThanOnce).isLessThanOrEqualTo(5_000);
        }
    }

    private Map<Long, Long> journaledIndexByEventId() {
        Map<Long, Long> byId = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        try (ChronicleJournal journal = ChronicleJournal.open(JournalConfig.of(dir.resolve("events")));
             JournalReader reader = journal.newReader(false)) {
            JournalTesting.readAll(reader, (memory, offset, length, index, endOfBatch) -> {
                long id = JournalRecord.eventId(memory, offset);
                Long previous = byId.put(id, index);
                if (previous != null) {
                    duplicates.add(id + " at " + previous + " and " + index);
                }
            });
        }
        assertThat(duplicates).as("eventIds journaled twice").isEmpty();
        return byId;
    }

    private Process startChild() throws IOException {
        return ChildJvm.start(CrashChild.class, dir.toString(), String.valueOf(COUNT));
    }

    private static void waitForLine(Process process, String expected, List<String> output, long seconds) throws Exception {
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (output) {
                        output.add(line);
                        output.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the process was killed
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        synchronized (output) {
            while (output.stream().noneMatch(line -> line.startsWith(expected))) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    throw new AssertionError("no '" + expected + "' line; output so far:\n" + String.join("\n", output));
                }
                output.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 1_000_000_000L))));
            }
        }
    }
}
