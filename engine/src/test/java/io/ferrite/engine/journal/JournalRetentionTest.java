package io.ferrite.engine.journal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JournalRetention} on a real Chronicle journal whose clock the test moves: five-minute
 * cycles, five cycle files of three records each, checked on disk and by reading the journal back.
 */
class JournalRetentionTest {
    private static final long FIVE_MINUTES_MILLIS = 5 * 60_000L;
    private static final int CYCLES = 5;
    private static final int PER_CYCLE = 3;

    @TempDir
    Path dir;

    private final SetTimeProvider time = new SetTimeProvider(Instant.parse("2030-03-04T10:00:00Z"));
    private final Arena arena = Arena.ofShared();
    private final MemorySegment payload = arena.allocate(8);
    private final long[][] index = new long[CYCLES][PER_CYCLE];
    private ChronicleJournal journal;
    private List<String> allFiles;

    @BeforeEach
    void writeFiveCycles() throws IOException {
        journal = ChronicleJournal.open(new JournalConfig(dir, "FIVE_MINUTELY", false, 0, 1024), time);
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            if (cycle > 0) {
                time.advanceMillis(FIVE_MINUTES_MILLIS);
            }
            for (int record = 0; record < PER_CYCLE; record++) {
                index[cycle][record] = append(value(cycle, record));
            }
        }
        allFiles = cycleFiles();
        assertThat(allFiles).hasSize(CYCLES);
    }

    @AfterEach
    void close() {
        journal.close();
        arena.close();
    }

    private static long value(int cycle, int record) {
        return cycle * 100L + record;
    }

    private long append(long value) {
        payload.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
        long appended = JournalTesting.append(journal, 0, 0, 0, 0, 0, 1, 0, payload, 0, 8);
        assertThat(appended).isGreaterThanOrEqualTo(0);
        return appended;
    }

    private List<String> cycleFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".cq4")).sorted().toList();
        }
    }

    /** Payload values of every record a fresh reader finds, from the journal's start. */
    private List<Long> readAll() {
        return readAfter(-1);
    }

    private List<Long> readAfter(long after) {
        List<Long> values = new ArrayList<>();
        try (JournalReader reader = journal.newReader(false)) {
            if (after >= 0) {
                reader.moveTo(after + 1);
            }
            JournalTesting.readAll(reader, (memory, offset, length, i, endOfBatch) ->
                values.add(memory.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + JournalRecord.HEADER_LENGTH)));
        }
        return values;
    }

    private static List<Long> valuesOfCycles(int from, int to) {
        List<Long> values = new ArrayList<>();
        for (int cycle = from; cycle <= to; cycle++) {
            for (int record = 0; record < PER_CYCLE; record++) {
                values.add(value(cycle, record));
            }
        }
        return values;
    }

    @Test
    void nothingIsDeletedWhileAConsumerNeedsTheWholeJournalOrWhenRetentionIsOff() throws IOException {
        assertThat(new JournalRetention(journal, 2, () -> -1L).run()).isZero();
        assertThat(new JournalRetention(journal, 0, () -> index[4][2]).run()).isZero();
        assertThat(cycleFiles()).isEqualTo(allFiles);
        assertThat(readAll()).isEqualTo(valuesOfCycles(0, 4));
    }

    @Test
    void keepsTheNewestCyclesOnceNoConsumerNeedsOlderOnesAndTheJournalReadsOnFromThem() throws IOException {
        JournalRetention retention = new JournalRetention(journal, 2, () -> index[4][2]);
        assertThat(retention.run()).isEqualTo(3);
        assertThat(cycleFiles()).isEqualTo(allFiles.subList(3, 5));
        assertThat(readAll()).isEqualTo(valuesOfCycles(3, 4));
        assertThat(retention.run()).as("a second run").isZero();

        time.advanceMillis(FIVE_MINUTES_MILLIS);
        append(value(5, 0));
        assertThat(cycleFiles()).hasSize(3);
        List<Long> expected = valuesOfCycles(3, 4);
        expected.add(value(5, 0));
        assertThat(readAll()).isEqualTo(expected);
    }

    @Test
    void neverDeletesTheCycleHoldingTheOldestNeededIndex() throws IOException {
        AtomicLong oldestNeeded = new AtomicLong(index[1][1]);
        JournalRetention retention = new JournalRetention(journal, 1, oldestNeeded::get);

        assertThat(retention.run()).isEqualTo(1);
        assertThat(cycleFiles()).isEqualTo(allFiles.subList(1, 5));
        assertThat(readAfter(index[1][1])).as("the consumer resumes after its checkpoint")
            .isEqualTo(valuesOfCycles(1, 4).subList(2, 4 * PER_CYCLE));

        oldestNeeded.set(index[3][0]);
        assertThat(retention.run()).isEqualTo(2);
        assertThat(cycleFiles()).isEqualTo(allFiles.subList(3, 5));
        assertThat(readAfter(index[3][0])).isEqualTo(valuesOfCycles(3, 4).subList(1, 2 * PER_CYCLE));

        oldestNeeded.set(index[4][0]);
        assertThat(retention.run()).isEqualTo(1);
        assertThat(cycleFiles()).isEqualTo(allFiles.subList(4, 5));
        assertThat(readAll()).isEqualTo(valuesOfCycles(4, 4));
    }
}
