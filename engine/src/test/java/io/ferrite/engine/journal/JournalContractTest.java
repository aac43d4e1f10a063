package io.ferrite.engine.journal;

import io.ferrite.engine.PublishResult;
import io.ferrite.protocol.EventFrame;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link Journal} contract, one suite over every implementation: the Chronicle Queue journal
 * (ASYNC and SYNC durability) and the MEMORY ring.
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
                return new MemoryJournal(1 << 16);
            }
        };

        abstract Journal open(Path dir);
    }

    /** One record as read: index, eventId, key, type, priority, payload as text. */
    record Read(long index, long correlationId, long eventId, long key, int type, int priority, String payload) {
    }

    private static List<Read> readAll(JournalReader reader, long limit) {
        List<Read> read = new ArrayList<>();
        EventFrame event = new EventFrame();
        while (reader.readNext((memory, offset, length, index) -> {
            event.wrap(memory, offset + JournalRecord.EVENT_OFFSET, length - JournalRecord.EVENT_OFFSET);
            byte[] payload = new byte[(int) event.payloadLength()];
            MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, event.payloadOffset(), payload, 0, payload.length);
            read.add(new Read(index, event.correlationId(), event.eventId(), event.key(), event.type(), event.priority(),
                new String(payload)));
        }, limit)) {
            // read on
        }
        return read;
    }

    private static long append(Journal journal, long eventId, String payload) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocateFrom(payload);
            return journal.append(1, eventId + 100, eventId, eventId * 10, 0, 7, (int) (eventId % 4), bytes, 0,
                payload.length());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void recordsAreReadBackInOrderWithEveryFieldAndIncreasingIndexes(Kind kind) {
        try (Journal journal = kind.open(dir); Arena arena = Arena.ofConfined()) {
            List<Long> indexes = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                indexes.add(append(journal, i, "payload-" + i));
            }
            assertThat(indexes).allMatch(index -> index >= 0).isSorted().doesNotHaveDuplicates();
            try (JournalReader reader = journal.newReader(true)) {
                List<Read> read = readAll(reader, JournalReader.NO_LIMIT);
                assertThat(read).extracting(Read::index).containsExactlyElementsOf(indexes);
                assertThat(read).extracting(Read::payload)
                    .containsExactly("payload-1", "payload-2", "payload-3", "payload-4", "payload-5");
                assertThat(read.get(2)).isEqualTo(new Read(indexes.get(2), 103, 3, 30, 7, 3, "payload-3"));
                assertThat(reader.gate()).as("gate: just past the last record read").isEqualTo(indexes.get(4) + 1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aReaderStopsBelowItsLimitAndGoesOnWhenTheLimitMoves(Kind kind) {
        try (Journal journal = kind.open(dir); Arena arena = Arena.ofConfined()) {
            long first = append(journal, 1, "a");
            long second = append(journal, 2, "b");
            long third = append(journal, 3, "c");
            try (JournalReader reader = journal.newReader(true)) {
                assertThat(readAll(reader, third)).extracting(Read::index).containsExactly(first, second);
                assertThat(readAll(reader, third)).as("nothing below the same limit").isEmpty();
                assertThat(readAll(reader, JournalReader.NO_LIMIT)).extracting(Read::index).containsExactly(third);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void twoReadersEachSeeEveryRecord(Kind kind) {
        try (Journal journal = kind.open(dir); Arena arena = Arena.ofConfined()) {
            append(journal, 1, "a");
            append(journal, 2, "b");
            try (JournalReader last = journal.newReader(true); JournalReader other = journal.newReader(false)) {
                if (journal instanceof MemoryJournal memory) {
                    memory.addReleaseGate(other);
                }
                assertThat(readAll(other, JournalReader.NO_LIMIT)).extracting(Read::eventId).containsExactly(1L, 2L);
                assertThat(readAll(last, JournalReader.NO_LIMIT)).extracting(Read::eventId).containsExactly(1L, 2L);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCommittedClaimIsReadWithItsPayloadAndAnAbortedOneNever(Kind kind) {
        try (Journal journal = kind.open(dir); Arena arena = Arena.ofConfined()) {
            JournalClaim claim = new JournalClaim();
            long aborted = journal.tryClaim(1, 0, 10, 0, 0, 1, 0, 3, claim);
            assertThat(aborted).isNotNegative();
            claim.abort();
            long committed = journal.tryClaim(1, 0, 11, 0, 0, 1, 0, 3, claim);
            assertThat(committed).isNotNegative();
            MemorySegment.copy(arena.allocateFrom("xyz"), 0, claim.memory(), claim.payloadOffset(), 3);
            claim.commit();
            long after = append(journal, 12, "after");
            try (JournalReader reader = journal.newReader(true)) {
                assertThat(readAll(reader, JournalReader.NO_LIMIT)).extracting(Read::eventId, Read::payload)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(11L, "xyz"),
                        org.assertj.core.groups.Tuple.tuple(12L, "after"));
            }
            assertThat(after).isGreaterThan(committed);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aPayloadOverTheLimitIsRejectedAndNothingIsAppended(Kind kind) {
        try (Journal journal = kind.open(dir); Arena arena = Arena.ofConfined()) {
            MemorySegment big = arena.allocate(journal.maxPayloadLength() + 1L);
            assertThat(journal.append(1, 0, 1, 0, 0, 1, 0, big, 0, (int) big.byteSize())).isEqualTo(PublishResult.REJECTED);
            assertThat(journal.tryClaim(1, 0, 1, 0, 0, 1, 0, (int) big.byteSize(), new JournalClaim()))
                .isEqualTo(PublishResult.REJECTED);
            try (JournalReader reader = journal.newReader(true)) {
                assertThat(readAll(reader, JournalReader.NO_LIMIT)).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void moveAfterPositionsJustAfterAnIndexAndMinusOneAtTheStart(Kind kind) {
        try (Journal journal = kind.open(dir); Arena arena = Arena.ofConfined()) {
            long first = append(journal, 1, "a");
            append(journal, 2, "b");
            append(journal, 3, "c");
            try (JournalReader reader = journal.newReader(true)) {
                reader.moveAfter(first);
                assertThat(readAll(reader, JournalReader.NO_LIMIT)).extracting(Read::eventId).containsExactly(2L, 3L);
                reader.moveAfter(-1);
                assertThat(readAll(reader, JournalReader.NO_LIMIT)).extracting(Read::eventId).containsExactly(1L, 2L, 3L);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void concurrentAppendersEachKeepTheirOrderAndNoRecordIsLostOrDoubled(Kind kind) throws Exception {
        int threads = 4;
        int perThread = 2_000;
        try (Journal journal = kind == Kind.MEMORY ? new MemoryJournal(1 << 22) : kind.open(dir);
             Arena arena = Arena.ofShared()) {
            MemorySegment payload = arena.allocateFrom("p");
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> appenders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = (t + 1) * 1_000_000L;
                appenders.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        assertThat(journal.append(1, 0, base + i, base, 0, 1, 0, payload, 0, 1)).isNotNegative();
                    }
                }));
            }
            go.countDown();
            for (Thread appender : appenders) {
                appender.join();
            }
            try (JournalReader reader = journal.newReader(true)) {
                List<Read> read = readAll(reader, JournalReader.NO_LIMIT);
                assertThat(read).hasSize(threads * perThread);
                assertThat(read).extracting(Read::index).isSorted().doesNotHaveDuplicates();
                Map<Long, Long> lastByThread = new HashMap<>();
                for (Read one : read) {
                    Long previous = lastByThread.put(one.key(), one.eventId());
                    assertThat(previous == null || previous < one.eventId()).as("order within appender %d", one.key())
                        .isTrue();
                }
            }
        }
    }
}
