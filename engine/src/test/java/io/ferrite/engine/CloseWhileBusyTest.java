package io.ferrite.engine;

import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.JournalConfig;
import io.ferrite.engine.journal.JournalReader;
import io.ferrite.engine.journal.JournalTesting;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() while four publishers are publishing as fast as they can: every publish answers an index
 * or CLOSED/BACK_PRESSURED (never anything else, never an exception), the report counts exactly
 * the acknowledged events, close drains them all, and in ASYNC/SYNC mode each acknowledged index is
 * in the journal. Repeated, since the interesting moment (a publisher between the closing check
 * and its append) is a race.
 */
class CloseWhileBusyTest {
    private static final int PUBLISHERS = 4;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static Stream<Arguments> modes() {
        return Stream.of(Durability.values())
            .flatMap(durability -> IntStream.rangeClosed(1, 5).mapToObj(run -> Arguments.of(durability, run)));
    }

    @ParameterizedTest(name = "{0} run {1}")
    @MethodSource("modes")
    void closeDuringPublishingAcknowledgesOnlyWhatItDrainsAndJournals(Durability durability, int run) throws Exception {
        Path journal = dir.resolve("run-" + run);
        RecordingHandler handler = new RecordingHandler();
        Engine engine = Engine.builder().journal(journal).durability(durability).memoryRingBytes(1 << 20)
            .capacity(4_096).groupCommit(64, Duration.ofMillis(1)).stage("only", handler).build();
        LongAdder acknowledged = new LongAdder();
        List<List<Long>> indices = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> publishers = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            for (int p = 0; p < PUBLISHERS; p++) {
                List<Long> mine = new ArrayList<>();
                indices.add(mine);
                long publisher = p;
                MemorySegment payload = arena.allocate(64);
                publishers.add(Thread.ofPlatform().name("publisher-" + p).start(() -> {
                    try {
                        go.await();
                        for (long seq = 1; ; seq++) {
                            long eventId = publisher << 40 | seq;
                            long result = engine.publish(1, publisher, eventId, 0, payload, 0, 64);
                            if (result >= 0) {
                                mine.add(result);
                                acknowledged.increment();
                            } else if (result == PublishResult.CLOSED) {
                                return;
                            } else if (result != PublishResult.BACK_PRESSURED) {
                                record(unexpected, "publisher " + publisher + ": " + PublishResult.describe(result));
                                return;
                            }
                        }
                    } catch (Throwable t) {
                        record(unexpected, "publisher " + publisher + " threw " + t);
                    }
                }));
            }
            go.countDown();
            Await.until("publishers got going", WAIT, () -> acknowledged.sum() >= 5_000);
            CloseReport report = engine.closeAndReport();
            for (Thread publisher : publishers) {
                assertThat(publisher.join(WAIT)).as("%s returned after close", publisher.getName()).isTrue();
            }

            List<Long> all = indices.stream().flatMap(List::stream).sorted().toList();
            assertThat(unexpected).isEmpty();
            assertThat(all).doesNotHaveDuplicates();
            assertThat(report.published()).as("events in the report vs acknowledged").isEqualTo(all.size());
            assertThat(report.drained()).as("%s", report).isTrue();
            assertThat(handler.seen()).extracting(RecordingHandler.Seen::index).containsExactlyElementsOf(all);
            if (durability != Durability.MEMORY) {
                assertThat(journaledIndices(journal)).as("journaled vs acknowledged").isEqualTo(new HashSet<>(all));
            }
        } finally {
            engine.close();
        }
    }

    private static void record(List<String> problems, String problem) {
        synchronized (problems) {
            problems.add(problem);
        }
    }

    private static Set<Long> journaledIndices(Path journalDirectory) {
        Set<Long> indices = new HashSet<>();
        try (ChronicleJournal journal = ChronicleJournal.open(JournalConfig.of(EngineAssembly.eventsDirectory(journalDirectory)));
             JournalReader reader = journal.newReader(false)) {
            JournalTesting.readAll(reader, (memory, offset, length, index, endOfBatch) -> indices.add(index));
        }
        return indices;
    }
}
