package io.ferrite.engine.journal;

import io.ferrite.testing.ChildJvm;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Damaged journal tails, on real files: a batch torn by a process that died while writing it (the
 * next writer takes its place; readers never see a part of it), a tail of zeros, and a cycle file
 * missing in the middle (refused at start-up with a message that names the gap and the fix —
 * never a silent skip).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JournalTailRecoveryTest {
    private final MemorySegment payload = MemorySegment.ofArray(new byte[64]);

    @TempDir
    Path dir;

    @Test
    void aBatchTornByAProcessThatDiedMidWriteIsNeverReadAndTheNextWriterContinues() throws Exception {
        Process child = ChildJvm.start(TornWriterChild.class, dir.toString(), "100");
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output).as("the child's output").contains("TORN");

        long started = System.nanoTime();
        try (ChronicleJournal journal = ChronicleJournal.open(JournalConfig.of(dir))) {
            assertThat(journal.nextIndex()).as("what the torn batch left out").isEqualTo(100);
            assertThat(readIds(journal)).hasSize(100).doesNotContain(1000L, 1001L, 1002L, 1003L, 1004L);
            assertThat(JournalTesting.append(journal, 0, 101, 101, 0, 0, 1, 0, payload, 0, 64)).isEqualTo(100);
            List<Long> ids = readIds(journal);
            assertThat(ids).hasSize(101).endsWith(101L);
        }
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).as("seconds to recover").isLessThan(30);
    }

    @Test
    void aTailOfZerosIsTheEndOfTheJournal() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(JournalConfig.of(dir))) {
            for (int i = 0; i < 50; i++) {
                JournalTesting.append(journal, 0, i + 1, i + 1, 0, 0, 1, 0, payload, 0, 64);
            }
        }
        Path cycle = cycleFiles().getLast();
        try (RandomAccessFile file = new RandomAccessFile(cycle.toFile(), "rw")) {
            file.seek(file.length());
            file.write(new byte[1 << 20]); // a megabyte of zeros past the end, as a file system may leave
        }
        try (ChronicleJournal journal = ChronicleJournal.open(JournalConfig.of(dir))) {
            assertThat(journal.nextIndex()).isEqualTo(50);
            assertThat(JournalTesting.append(journal, 0, 51, 51, 0, 0, 1, 0, payload, 0, 64)).isEqualTo(50);
            assertThat(readIds(journal)).hasSize(51);
        }
    }

    @Test
    void aCycleFileMissingInTheMiddleIsRefusedAtStartWithWhatToDo() throws Exception {
        SetTimeProvider time = new SetTimeProvider(Instant.parse("2030-03-04T10:00:00Z"));
        JournalConfig config = new JournalConfig(dir, "FIVE_MINUTELY", false, 0, 1024);
        try (ChronicleJournal journal = ChronicleJournal.open(config, time)) {
            for (int cycle = 0; cycle < 3; cycle++) {
                for (int i = 0; i < 4; i++) {
                    JournalTesting.append(journal, 0, 1, cycle * 10 + i + 1, 0, 0, 1, 0, payload, 0, 64);
                }
                time.advanceMillis(5 * 60_000);
            }
        }
        List<Path> files = cycleFiles();
        assertThat(files).hasSize(3);
        try (ChronicleJournal intact = ChronicleJournal.open(config, time)) {
            assertThat(intact.nextIndex()).isEqualTo(12);
        }
        Files.delete(files.get(1));
        assertThatThrownBy(() -> ChronicleJournal.open(config, time).close())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("is not continuous")
            .hasMessageContaining("events 4..7 are missing")
            .hasMessageContaining("Put the missing file back from a backup");
    }

    private List<Long> readIds(ChronicleJournal journal) {
        List<Long> ids = new ArrayList<>();
        try (JournalReader reader = journal.newReader(false)) {
            JournalTesting.readAll(reader, (memory, offset, length, index, endOfBatch) ->
                ids.add(JournalRecord.eventId(memory, offset)));
        }
        return ids;
    }

    private List<Path> cycleFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
    }
}
