package io.ferrite.engine.journal;

import io.ferrite.protocol.EventFrame;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link Journal} contract, one suite over both implementations: the Chronicle Queue journal
 * and the MEMORY ring. Records are appended in batches and read back one by one, each with its
 * own dense index.
 */
class JournalContractTest {
    @TempDir
    Path dir;

    enum Kind {
        CHRONICLE {
            @Override
            Journal open(Path dir) {
                return ChronicleJournal.open(new JournalConfig(dir.resolve("events"), "FAST_DAILY", false, 0, 4096));
            }
        },
        MEMORY {
            @Override
            Journal open(Path dir) {
                return new MemoryJournal(1 << 20);
            }
        };

        abstract Journal open(Path dir);
    }

    /** One record as read: index, eventId, key, payload as text, whether it ended its batch. */
    record Read(long index, long eventId, long key, String payload, boolean endOfBatch) {
    }

    private static List<Read> read(JournalReader reader, long limit, int max) {
        List<Read> read = new ArrayList<>();
        EventFrame event = new EventFrame();
        reader.read((memory, offset, length, index, endOfBatch) -> {
            event.wrap(memory, offset + JournalRecord.EVENT_OFFSET, length - JournalRecord.EVENT_OFFSET);
            byte[] payload = new byte[(int) event.payloadLength()];
            MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, event.payloadOffset(), payload, 0, payload.length);
            read.add(new Read(index, event.eventId(), event.key(), new String(payload, StandardCharsets.UTF_8), endOfBatch));
        }, limit, max);
        return read;
    }

    private static List<Read> readAll(JournalReader reader) {
        List<Read> all = new ArrayList<>();
        List<Read> some;
        while (!(some = read(reader, JournalReader.NO_LIMIT, 1000)).isEmpty()) {
            all.addAll(some);
        }
        return all;
    }

    private static long append(Journal journal, long eventId, String payload) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocateFrom(payload);
            return JournalTesting.append(journal, 1, eventId + 100, eventId, eventId * 10, 0, 7, 0, bytes, 0,
                payload.length());
        }
    }

    /** Appends one batch of records with eventIds {@code firstId..}; returns the batch's first index. */
    private static long appendBatch(Journal journal, long firstId, String... payloads) {
        int bytes = 0;
        for (String payload : payloads) {
            bytes += JournalBatch.recordBytes(JournalRecord.HEADER_LENGTH + payload.length());
        }
        JournalClaim claim = new JournalClaim();
        assertThat(journal.claim(payloads.length, bytes, 0, claim)).isZero();
        long at = claim.recordsOffset();
        for (int i = 0; i < payloads.length; i++) {
            byte[] payload = payloads[i].getBytes(StandardCharsets.UTF_8);
            JournalBatch.recordLength(claim.memory(), at, JournalRecord.HEADER_LENGTH + payload.length);
            long record = at + JournalBatch.RECORD_LENGTH_PREFIX;
            JournalRecord.writeHeader(claim.memory(), record, 1, 0, firstId + i, (firstId + i) * 10, 0, 7, 0);
            MemorySegment.copy(payload, 0, claim.memory(), ValueLayout.JAVA_BYTE, record + JournalRecord.HEADER_LENGTH,
                payload.length);
            at = record + JournalRecord.HEADER_LENGTH + payload.length;
        }
        long first = claim.firstIndex();
        assertThat(claim.commit()).isZero();
        return first;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void recordsGetDenseIndexesFromZeroAndReadBackWithEveryField(Kind kind) {
        try (Journal journal = kind.open(dir)) {
            assertThat(journal.nextIndex()).isZero();
            assertThat(append(journal, 1, "one")).isZero();
            assertThat(appendBatch(journal, 2, "two", "three", "four")).isEqualTo(1);
            assertThat(append(journal, 5, "five")).isEqualTo(4);
            assertThat(journal.nextIndex()).isEqualTo(5);
            try (JournalReader reader = journal.newReader(true)) {
                assertThat(readAll(reader)).containsExactly(
                    new Read(0, 1, 10, "one", true),
                    new Read(1, 2, 20, "two", false),
                    new Read(2, 3, 30, "three", false),
                    new Read(3, 4, 40, "four", true),
                    new Read(4, 5, 50, "five", true));
                assertThat(reader.gate()).as("gate: the next index to read").isEqualTo(5);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aReaderStopsInsideABatchAtItsMaxOrLimitAndResumesThere(Kind kind) {
        try (Journal journal = kind.open(dir)) {
            appendBatch(journal, 1, "a", "b", "c", "d", "e");
            append(journal, 6, "f");
            try (JournalReader reader = journal.newReader(true)) {
                assertThat(read(reader, JournalReader.NO_LIMIT, 2)).extracting(Read::payload, Read::endOfBatch)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("a", false),
                        org.assertj.core.groups.Tuple.tuple("b", true));
                assertThat(reader.gate()).isEqualTo(2);
                assertThat(read(reader, 4, 100)).as("below the limit 4").extracting(Read::payload).containsExactly("c", "d");
                assertThat(read(reader, 4, 100)).as("nothing more below the same limit").isEmpty();
                assertThat(read(reader, JournalReader.NO_LIMIT, 100)).extracting(Read::payload).containsExactly("e", "f");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void twoReadersEachSeeEveryRecord(Kind kind) {
        try (Journal journal = kind.open(dir)) {
            appendBatch(journal, 1, "a", "b");
            try (JournalReader first = journal.newReader(false); JournalReader last = journal.newReader(true)) {
                assertThat(readAll(first)).extracting(Read::eventId).containsExactly(1L, 2L);
                assertThat(readAll(last)).extracting(Read::eventId).containsExactly(1L, 2L);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anAbortedBatchIsNeverReadAndTakesNoIndexes(Kind kind) {
        try (Journal journal = kind.open(dir)) {
            JournalClaim claim = new JournalClaim();
            assertThat(journal.claim(2, 2 * JournalBatch.recordBytes(JournalRecord.HEADER_LENGTH), 0, claim)).isZero();
            claim.abort();
            assertThat(journal.nextIndex()).isZero();
            assertThat(append(journal, 9, "kept")).isZero();
            try (JournalReader reader = journal.newReader(true)) {
                assertThat(readAll(reader)).extracting(Read::eventId, Read::index)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(9L, 0L));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aReaderMovesToAnyIndexItHoldsEvenInsideABatchButMemoryCannotReplay(Kind kind) {
        try (Journal journal = kind.open(dir)) {
            append(journal, 1, "a");
            appendBatch(journal, 2, "b", "c", "d");
            append(journal, 5, "e");
            try (JournalReader reader = journal.newReader(true)) {
                if (kind == Kind.MEMORY) {
                    assertThatThrownBy(() -> reader.moveTo(2)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("cannot replay");
                    return;
                }
                reader.moveTo(2);
                assertThat(readAll(reader)).extracting(Read::payload).containsExactly("c", "d", "e");
                reader.moveTo(0);
                assertThat(readAll(reader)).extracting(Read::payload).containsExactly("a", "b", "c", "d", "e");
                reader.moveTo(5);
                assertThat(readAll(reader)).as("at the end: only what comes next").isEmpty();
                append(journal, 6, "f");
                assertThat(readAll(reader)).extracting(Read::payload).containsExactly("f");
                assertThatThrownBy(() -> reader.moveTo(99)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("beyond the end");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = "CHRONICLE")
    void aReopenedJournalGoesOnFromItsLastIndex(Kind kind) {
        try (Journal journal = kind.open(dir)) {
            appendBatch(journal, 1, "a", "b", "c");
        }
        try (Journal journal = kind.open(dir)) {
            assertThat(journal.nextIndex()).isEqualTo(3);
            assertThat(append(journal, 4, "d")).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aReaderOnAnotherThreadSeesEveryRecordOnceAndInOrderWhileTheWriterAppends(Kind kind) throws Exception {
        int batches = 2_000;
        try (Journal journal = kind.open(dir); JournalReader reader = journal.newReader(true)) {
            AtomicReference<String> problem = new AtomicReference<>();
            long[] expected = {0};
            Thread consumer = Thread.ofPlatform().daemon()
                .uncaughtExceptionHandler((thread, error) -> problem.compareAndSet(null, error.toString())).start(() -> {
                while (expected[0] < batches * 3L && problem.get() == null) {
                    reader.read((memory, offset, length, index, endOfBatch) -> {
                        long eventId = JournalRecord.eventId(memory, offset);
                        if (index != expected[0] || eventId != index + 1) {
                            problem.compareAndSet(null, "record " + index + " with id " + eventId + ", expected "
                                + expected[0]);
                        }
                        expected[0]++;
                    }, JournalReader.NO_LIMIT, 64);
                    Thread.onSpinWait();
                }
            });
            for (int b = 0; b < batches; b++) {
                appendBatch(journal, b * 3L + 1, "x", "y", "z");
                if (kind == Kind.MEMORY && journal.nextIndex() - reader.gate() > 3_000) { // a small ring: let the reader free room
                    io.ferrite.testing.Await.until("the reader keeps up", java.time.Duration.ofSeconds(30),
                        () -> journal.nextIndex() - reader.gate() <= 3_000 || problem.get() != null, problem::get);
                }
            }
            consumer.join(60_000);
            assertThat(problem.get()).isNull();
            assertThat(reader.gate()).isEqualTo(batches * 3L);
        }
    }
}
