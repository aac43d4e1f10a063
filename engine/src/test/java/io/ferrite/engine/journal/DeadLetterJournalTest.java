package io.ferrite.engine.journal;

import io.ferrite.engine.ErrorHandler;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.metrics.StageMetrics;
import io.ferrite.engine.stage.StageAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Dead letters are written whole or not at all, and counted only when written. */
class DeadLetterJournalTest {
    @TempDir
    Path dir;

    @Test
    void aWrittenDeadLetterReadsBackWithItsRecord() {
        try (DeadLetterJournal letters = DeadLetterJournal.open(dir);
             Arena arena = Arena.ofConfined()) {
            MemorySegment record = arena.allocate(JournalRecord.HEADER_LENGTH);
            JournalRecord.writeHeader(record, 0, 1, 2, 77, 3, 4, 5, 0);
            assertThat(letters.record("stage-a", 9, new IllegalStateException("boom"), record, 0,
                JournalRecord.HEADER_LENGTH)).isTrue();
            assertThat(letters.readAll()).singleElement().satisfies(letter -> {
                assertThat(letter.index()).isEqualTo(9);
                assertThat(letter.stage()).isEqualTo("stage-a");
                assertThat(letter.error()).contains("boom");
                assertThat(letter.eventId()).isEqualTo(77);
            });
        }
    }

    @Test
    void aDeadLetterThatCannotBeWrittenIsReportedAsNotWritten() {
        DeadLetterJournal letters = DeadLetterJournal.open(dir);
        letters.close();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment record = arena.allocate(JournalRecord.HEADER_LENGTH);
            assertThat(letters.record("stage-a", 1, new RuntimeException("x"), record, 0, JournalRecord.HEADER_LENGTH))
                .isFalse();
        }
    }

    @Test
    void theStageCountsOnlyDeadLettersThatWereWritten() {
        DeadLetterJournal letters = DeadLetterJournal.open(dir);
        letters.close(); // every write fails from now on
        AtomicInteger errors = new AtomicInteger();
        ErrorHandler countErrors = (stage, index, error) -> errors.incrementAndGet();
        EventHandler throwing = (event, index, endOfBatch) -> {
            throw new IllegalStateException("poison");
        };
        try (MemoryJournal journal = new MemoryJournal(1 << 16);
             Arena arena = Arena.ofConfined()) {
            MemorySegment payload = arena.allocate(8);
            assertThat(JournalTesting.append(journal, 0, 1, 42, 7, 0, 1, 0, payload, 0, 8)).isNotNegative();
            StageMetrics metrics = new StageMetrics("poisoned");
            StageAgent stage = new StageAgent("poisoned", throwing, journal.newReader(true), null, metrics,
                countErrors, letters, null, 0, 1_000, 16, -1);
            assertThat(stage.doWork()).isEqualTo(1);
            assertThat(errors).hasValue(1);
            assertThat(metrics.errors().getAcquire()).isEqualTo(1);
            assertThat(metrics.deadLettered().getAcquire()).as("dead letters counted although none was written").isZero();
        }
    }
}
