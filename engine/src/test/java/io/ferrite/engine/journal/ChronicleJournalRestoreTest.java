package io.ferrite.engine.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ChronicleJournal#visitIdsNewestFirst}: the newest records of a real journal, newest first, across batches. */
class ChronicleJournalRestoreTest {
    private static final int[] BATCH_SIZES = {1, 700, 3, 1_000, 1, 1, 250, 2_000, 17, 500};

    @TempDir
    Path dir;

    @Test
    void theNewestRecordsAreVisitedNewestFirstFromTheMiddleOfABatch() {
        try (ChronicleJournal journal = ChronicleJournal.open(JournalConfig.of(dir))) {
            long total = writeBatches(journal);
            List<long[]> visits = new ArrayList<>();
            long visited = journal.visitIdsNewestFirst(1_234, (eventId, index, journaledAt) -> {
                visits.add(new long[] {eventId, index, journaledAt});
                return true;
            });
            assertThat(visited).isEqualTo(1_234);
            assertThat(visits).hasSize(1_234);
            for (int k = 0; k < visits.size(); k++) {
                long index = total - 1 - k;
                assertThat(visits.get(k)[1]).as("visit %d's index", k).isEqualTo(index);
                assertThat(visits.get(k)[0]).as("visit %d's eventId", k).isEqualTo(idOf(index));
                assertThat(visits.get(k)[2]).as("visit %d's journaledAt", k).isEqualTo(journaledAtOf(index));
            }
        }
    }

    @Test
    void theVisitorStopsItAndAWindowLargerThanTheJournalSeesEveryRecord() {
        try (ChronicleJournal journal = ChronicleJournal.open(JournalConfig.of(dir))) {
            long total = writeBatches(journal);
            long[] oldest = {-1};
            assertThat(journal.visitIdsNewestFirst(1 << 20, (eventId, index, at) -> {
                oldest[0] = index;
                return true;
            })).isEqualTo(total);
            assertThat(oldest[0]).isZero();
            assertThat(journal.visitIdsNewestFirst(1 << 20, (eventId, index, at) -> index > total - 10)).isEqualTo(10);
        }
        try (ChronicleJournal empty = ChronicleJournal.open(JournalConfig.of(dir.resolve("empty")))) {
            assertThat(empty.visitIdsNewestFirst(100, (eventId, index, at) -> true)).isZero();
        }
    }

    private static long writeBatches(ChronicleJournal journal) {
        long index = 0;
        int recordLength = JournalRecord.HEADER_LENGTH + 8;
        for (int size : BATCH_SIZES) {
            JournalClaim claim = new JournalClaim();
            assertThat(journal.claim(size, size * JournalBatch.recordBytes(recordLength), journaledAtOf(index), claim))
                .isZero();
            long at = claim.recordsOffset();
            for (int i = 0; i < size; i++, index++) {
                JournalBatch.recordLength(claim.memory(), at, recordLength);
                JournalRecord.writeHeader(claim.memory(), at + JournalBatch.RECORD_LENGTH_PREFIX, 0, index + 1,
                    idOf(index), 0, 0, 1, 0);
                at += JournalBatch.recordBytes(recordLength);
            }
            assertThat(claim.commit()).isZero();
        }
        return index;
    }

    private static long idOf(long index) {
        return index * 7 + 1;
    }

    /** The batch's journaledAt: that of its first record's index (one per batch). */
    private static long journaledAtOf(long index) {
        long first = 0;
        for (int size : BATCH_SIZES) {
            if (index < first + size) {
                return 1_000_000_000L + first;
            }
            first += size;
        }
        return 1_000_000_000L + index;
    }
}
