package io.ferrite.engine.journal;

import io.ferrite.libc.LibC;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link JournalPretoucher} on real files: it keeps ahead of a real Chronicle writer, and outlives a file shrunk under it. */
class JournalPretoucherTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void pagesAheadOfAChronicleWriterAreBroughtIn() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(JournalConfig.of(dir))) {
            MemorySegment payload = MemorySegment.ofArray(new byte[1000]);
            for (int i = 0; i < 10_000; i++) { // ~10 MB
                assertThat(JournalTesting.append(journal, 0, i, i, 0, 0, 1, 0, payload, 0, 1000)).isEqualTo(i);
            }
            File file = cycleFile();
            JournalPretoucher pretoucher = journal.pretoucher();
            Await.until("the pretoucher past the last write", Duration.ofSeconds(10),
                () -> pretoucher.touchedUpTo() >= Math.min(10 * MIB + JournalPretoucher.DEFAULT_AHEAD_BYTES, file.length()));
            assertThat(pretoucher.touchedUpTo()).isGreaterThan(10 * MIB).isLessThanOrEqualTo(file.length());
            assertThat(pretoucher.populating()).as("madvise(MADV_POPULATE_READ) still used: Linux >= 5.14 here")
                .isEqualTo(LibC.availability().isAvailable());
        }
    }

    @Test
    void theWriterPopulatesItsOwnMappingAheadOnlyOverPagesThePretoucherBroughtIn() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(JournalConfig.of(dir))) {
            MemorySegment payload = MemorySegment.ofArray(new byte[1000]);
            assertThat(JournalTesting.append(journal, 0, 0, 0, 0, 0, 1, 0, payload, 0, 1000)).isZero();
            File file = cycleFile();
            JournalPretoucher pretoucher = journal.pretoucher();
            Await.until("the pretoucher ahead of the writer", Duration.ofSeconds(10),
                () -> pretoucher.touchedUpTo(file) >= 8 * MIB);
            for (int i = 1; i < 5_000; i++) { // ~5 MB, inside what the pretoucher brought in
                assertThat(JournalTesting.append(journal, 0, i, i, 0, 0, 1, 0, payload, 0, 1000)).isEqualTo(i);
            }
            WriterPrefault prefault = journal.prefault();
            assertThat(prefault.enabled()).as("madvise(MADV_POPULATE_WRITE) in use: Linux >= 5.14 here")
                .isEqualTo(LibC.availability().isAvailable());
            if (prefault.enabled()) {
                assertThat(prefault.calls()).as("a call a megabyte").isBetween(4L, 8L);
            }
            assertThat(pretoucher.touchedUpTo(dir.resolve("another.cq4").toFile())).isZero();
        }
    }

    /** Both ways of bringing pages in: madvise(MADV_POPULATE_READ), and a byte read from each page. */
    @ParameterizedTest(name = "populate={0}")
    @ValueSource(booleans = {true, false})
    void aFileShrunkUnderTheMappingIsMappedAgain(boolean populate) throws Exception {
        File file = dir.resolve("cycle").toFile();
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw");
             JournalPretoucher pretoucher = new JournalPretoucher("test-pretouch", 4 * MIB, () -> { }, populate)) {
            raf.setLength(8 * MIB);
            pretoucher.writerMovedTo(file);
            pretoucher.writerAt(0);
            Await.until("4 MiB touched", Duration.ofSeconds(10), () -> pretoucher.touchedUpTo() == 4 * MIB);

            raf.setLength(MIB); // the mapping of 8 MiB now reaches 7 MiB past the end: reading there faults
            pretoucher.writerAt(2 * MIB);
            Await.until("the read past the end faulted", Duration.ofSeconds(10), () -> pretoucher.faults() > 0);
            raf.setLength(16 * MIB);
            pretoucher.writerAt(3 * MIB);
            Await.until("touched ahead again after the fault", Duration.ofSeconds(10),
                () -> pretoucher.touchedUpTo() == 7 * MIB);
            assertThat(pretoucher.populating()).isEqualTo(populate && LibC.availability().isAvailable());
        }
    }

    private File cycleFile() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow().toFile();
        }
    }
}
