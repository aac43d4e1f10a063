package io.ferrite.engine.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The single-threaded contract of {@link MemoryLog} and {@link MemoryLogReader}. */
class MemoryLogTest {
    private static final int CAPACITY = 4096;

    @ParameterizedTest
    @ValueSource(ints = {0, 1000, 4095, 3 * 4096, Integer.MAX_VALUE})
    void rejectsCapacitiesThatAreNotPowersOfTwoFromFourKiB(int capacity) {
        assertThatThrownBy(() -> new MemoryLog(capacity)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reportsItsGeometry() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            assertThat(log.capacity()).isEqualTo(CAPACITY);
            assertThat(log.memory().byteSize()).isEqualTo(CAPACITY);
            assertThat(log.maxRecordLength()).isEqualTo(CAPACITY / 8);
            assertThat(log.tailPosition()).isZero();
            assertThat(log.releasedPosition()).isZero();
        }
    }

    @Test
    void roundTripsEveryLengthFromZeroToMaxWithStrictlyIncreasingPositions() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            MemoryLogReader reader = log.reader(0);
            long previous = -1;
            for (int length = 0; length <= log.maxRecordLength(); length++) {
                long position = log.append(pattern(length, length), 0, length);
                assertThat(position).as("append of %d bytes", length).isGreaterThan(previous);
                assertThat(position % MemoryLog.FRAME_ALIGNMENT).isZero();
                previous = position;

                assertThat(reader.nextRecord()).isEqualTo(position);
                assertThat(reader.position()).isEqualTo(position);
                assertThat(reader.payloadLength()).isEqualTo(length);
                assertThat(reader.payloadOffset()).isEqualTo(log.payloadOffset(position));
                assertThat(reader.payloadOffset() % MemoryLog.FRAME_ALIGNMENT).isZero();
                assertThat(bytesAt(log, reader.payloadOffset(), length)).isEqualTo(pattern(length, length).toArray(ValueLayout.JAVA_BYTE));
                reader.advance();
                assertThat(reader.nextRecord()).isEqualTo(MemoryLogReader.NOT_READY);
                log.releaseUpTo(reader.cursor());
            }
        }
    }

    @Test
    void wrapsAroundManyLapsWithPaddingAndKeepsPositionsGrowing() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            MemoryLogReader reader = log.reader(0);
            int laps = 200;
            int records = 0;
            int wraps = 0;
            long previous = -1;
            while (log.tailPosition() < (long) laps * CAPACITY) {
                int length = 1 + (records * 37) % 300; // odd lengths: every alignment and end gap
                long tailBefore = log.tailPosition();
                long position = log.append(pattern(length, records), 0, length);
                assertThat(position).isGreaterThan(previous);
                if (position != tailBefore) {
                    wraps++;
                    assertThat(position % CAPACITY).as("a padded record starts a lap").isZero();
                    assertThat(position - tailBefore).isLessThan(MemoryLog.align(MemoryLog.HEADER_LENGTH + length));
                }
                previous = position;

                assertThat(reader.nextRecord()).isEqualTo(position);
                assertThat(reader.payloadLength()).isEqualTo(length);
                assertThat(bytesAt(log, reader.payloadOffset(), length)).isEqualTo(pattern(length, records).toArray(ValueLayout.JAVA_BYTE));
                reader.advance();
                records++;
                if (records % 5 == 0) {
                    log.releaseUpTo(reader.cursor());
                }
            }
            assertThat(wraps).isGreaterThan(laps / 2);
            assertThat(reader.nextRecord()).isEqualTo(MemoryLogReader.NOT_READY);
        }
    }

    @Test
    void backPressuresWhenFullAndRecoversAfterRelease() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            int length = 100; // 108-byte frames, 112 aligned
            List<Long> positions = new ArrayList<>();
            long position;
            while ((position = log.append(pattern(length, positions.size()), 0, length)) >= 0) {
                positions.add(position);
            }
            assertThat(position).isEqualTo(MemoryLog.BACK_PRESSURED);
            assertThat(positions).hasSize(CAPACITY / 112);
            assertThat(log.tailPosition()).isLessThanOrEqualTo(CAPACITY);
            assertThat(log.tryClaim(57)).as("65 bytes: pads the 64 left, then needs 72 more").isEqualTo(MemoryLog.BACK_PRESSURED);

            MemoryLogReader reader = log.reader(0);
            assertThat(reader.nextRecord()).isEqualTo(positions.get(0));
            reader.advance();
            assertThat(log.append(pattern(length, 99), 0, length))
                .as("read but not released: still full").isEqualTo(MemoryLog.BACK_PRESSURED);

            log.releaseUpTo(reader.cursor());
            long next = log.append(pattern(length, 99), 0, length);
            assertThat(next).as("wraps into the released first frame").isEqualTo(CAPACITY);
            for (int i = 1; i < positions.size(); i++) {
                assertThat(reader.nextRecord()).isEqualTo(positions.get(i));
                assertThat(bytesAt(log, reader.payloadOffset(), length)).isEqualTo(pattern(length, i).toArray(ValueLayout.JAVA_BYTE));
                reader.advance();
            }
            assertThat(reader.nextRecord()).as("padding skipped").isEqualTo(next);
            assertThat(bytesAt(log, reader.payloadOffset(), length)).isEqualTo(pattern(length, 99).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void neverClaimsBytesTheLastStageHasNotReleased() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            MemoryLogReader reader = log.reader(0);
            for (int i = 0; i < 5_000; i++) {
                int length = (i * 131) % (log.maxRecordLength() + 1);
                long position = log.tryClaim(length);
                if (position == MemoryLog.BACK_PRESSURED) {
                    assertThat(reader.nextRecord()).isNotEqualTo(MemoryLogReader.NOT_READY);
                    reader.advance();
                    log.releaseUpTo(reader.cursor());
                    continue;
                }
                assertThat(position).isNotNegative();
                assertThat(log.tailPosition() - log.releasedPosition()).isLessThanOrEqualTo(CAPACITY);
                assertThat(position + MemoryLog.HEADER_LENGTH + length - log.releasedPosition()).isLessThanOrEqualTo(CAPACITY);
                log.commit(position);
            }
        }
    }

    @Test
    void releaseZeroesTheFreedBytesAndPublishesThePosition() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            for (int i = 0; i < 3; i++) {
                log.append(pattern(64, i + 1), 0, 64);
            }
            MemoryLogReader reader = log.reader(0);
            reader.nextRecord();
            reader.advance();
            reader.nextRecord();
            reader.advance();
            log.releaseUpTo(reader.cursor());
            assertThat(log.releasedPosition()).isEqualTo(reader.cursor());
            assertThat(bytesAt(log, 0, (int) reader.cursor())).containsOnly((byte) 0);
            assertThat(reader.nextRecord()).isEqualTo(reader.cursor());
            assertThat(bytesAt(log, reader.payloadOffset(), 64)).isEqualTo(pattern(64, 3).toArray(ValueLayout.JAVA_BYTE));

            log.releaseUpTo(reader.cursor()); // the same position again: nothing to do
            assertThatThrownBy(() -> log.releaseUpTo(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readersStepOverAbortedClaims() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            long first = log.tryClaim(40);
            long second = log.tryClaim(16);
            long third = log.tryClaim(0);
            log.memory().set(ValueLayout.JAVA_LONG, log.payloadOffset(first), 0xDEAD_BEEFL);
            log.memory().set(ValueLayout.JAVA_LONG, log.payloadOffset(second), 42L);
            log.abort(first);
            log.commit(second);
            log.abort(third);

            MemoryLogReader reader = log.reader(0);
            assertThat(reader.nextRecord()).isEqualTo(second);
            assertThat(reader.payloadLength()).isEqualTo(16);
            assertThat(log.memory().get(ValueLayout.JAVA_LONG, reader.payloadOffset())).isEqualTo(42L);
            reader.advance();
            assertThat(reader.nextRecord()).isEqualTo(MemoryLogReader.NOT_READY);
            assertThat(reader.cursor()).as("past the trailing aborted claim").isEqualTo(log.tailPosition());
        }
    }

    @Test
    void anUncommittedClaimHoldsBackReadersUntilCommitted() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            long slow = log.tryClaim(8);
            long fast = log.append(pattern(8, 1), 0, 8);
            MemoryLogReader reader = log.reader(0);
            assertThat(reader.nextRecord()).isEqualTo(MemoryLogReader.NOT_READY);
            assertThat(reader.hasRecord()).isFalse();
            assertThat(reader.cursor()).isEqualTo(slow);
            log.commit(slow);
            assertThat(reader.nextRecord()).isEqualTo(slow);
            assertThat(reader.nextRecord()).as("stays current until advance").isEqualTo(slow);
            reader.advance();
            assertThat(reader.nextRecord()).isEqualTo(fast);
        }
    }

    @Test
    void commitAndAbortRejectAnythingButAnOpenClaim() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            long position = log.tryClaim(8);
            log.commit(position);
            assertThatThrownBy(() -> log.commit(position)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> log.abort(position)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> log.commit(log.tailPosition())).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> log.commit(position + CAPACITY)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void refusesRecordsLongerThanMaxRecordLength() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            int max = log.maxRecordLength();
            assertThat(log.tryClaim(max + 1)).isEqualTo(MemoryLog.TOO_LONG);
            assertThat(log.append(MemorySegment.ofArray(new byte[max + 1]), 0, max + 1)).isEqualTo(MemoryLog.TOO_LONG);
            assertThat(log.tailPosition()).as("nothing claimed").isZero();
            assertThat(log.tryClaim(max)).isZero();
            assertThatThrownBy(() -> log.tryClaim(-1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> log.append(MemorySegment.ofArray(new byte[4]), 0, 8))
                .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void readsFromAGivenPositionAndLimit() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            long[] positions = new long[10];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = log.append(pattern(i * 3, i), 0, i * 3);
            }
            MemoryLogReader reader = log.reader(positions[5]);
            for (int i = 5; i < 8; i++) {
                assertThat(reader.nextRecord(positions[8])).isEqualTo(positions[i]);
                assertThat(bytesAt(log, reader.payloadOffset(), i * 3)).isEqualTo(pattern(i * 3, i).toArray(ValueLayout.JAVA_BYTE));
                reader.advance();
            }
            assertThat(reader.nextRecord(positions[8])).as("limit reached").isEqualTo(MemoryLogReader.NOT_READY);
            assertThat(reader.nextRecord()).isEqualTo(positions[8]);

            assertThat(log.reader(log.tailPosition()).nextRecord()).isEqualTo(MemoryLogReader.NOT_READY);
            assertThatThrownBy(() -> log.reader(4)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> log.reader(log.tailPosition() + 8)).isInstanceOf(IllegalArgumentException.class);
            log.releaseUpTo(positions[2]);
            assertThatThrownBy(() -> log.reader(positions[1])).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void limitStopsBeforeTheEndOfLapPadding() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            int length = 100; // 112-byte frames: 36 of them, then 64 bytes left before the end
            MemoryLogReader reader = log.reader(0);
            for (int i = 0; i < CAPACITY / 112; i++) {
                log.append(pattern(length, i), 0, length);
                reader.nextRecord();
                reader.advance();
            }
            log.releaseUpTo(reader.cursor());
            long padStart = reader.cursor();
            long wrapped = log.append(pattern(length, 7), 0, length);
            assertThat(wrapped).isEqualTo(CAPACITY);
            assertThat(reader.nextRecord(padStart)).isEqualTo(MemoryLogReader.NOT_READY);
            assertThat(reader.cursor()).isEqualTo(padStart);
            assertThat(reader.nextRecord(wrapped)).as("steps over the padding, stops at the limit").isEqualTo(MemoryLogReader.NOT_READY);
            assertThat(reader.cursor()).isEqualTo(wrapped);
            assertThat(reader.nextRecord(wrapped + 1)).isEqualTo(wrapped);
        }
    }

    @Test
    void aLeftoverCommitWordFromAnEarlierLapIsNotARecord() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            fillOneLapExactly(log);
            long leftover = log.memory().get(ValueLayout.JAVA_LONG, 0);
            log.releaseUpTo(CAPACITY);
            assertThat(log.memory().get(ValueLayout.JAVA_LONG, 0)).isZero();

            // What an upstream reader could see if the releasing stage's zeroing were not visible.
            log.memory().set(ValueLayout.JAVA_LONG, 0, leftover);
            assertThat(log.reader(CAPACITY).nextRecord()).isEqualTo(MemoryLogReader.NOT_READY);
        }
    }

    @Test
    void readersWaitForTheReleaseOfThePreviousLapBeforeTrustingAWord() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            fillOneLapExactly(log);
            // Unreleased payload bytes that happen to look like a commit word of the next lap.
            log.memory().set(ValueLayout.JAVA_LONG, 0, log.word(CAPACITY, MemoryLog.STATE_RECORD, 16));
            MemoryLogReader reader = log.reader(CAPACITY);
            assertThat(reader.nextRecord()).isEqualTo(MemoryLogReader.NOT_READY);

            log.releaseUpTo(CAPACITY);
            long position = log.append(pattern(8, 5), 0, 8);
            assertThat(reader.nextRecord()).isEqualTo(position).isEqualTo(CAPACITY);
            assertThat(reader.payloadLength()).isEqualTo(8);
        }
    }

    @Test
    void advanceWithoutARecordIsABug() {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            MemoryLogReader reader = log.reader(0);
            assertThatThrownBy(reader::advance).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(reader::payloadOffset).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void closeFreesTheMemoryOnce() {
        MemoryLog log = new MemoryLog(CAPACITY);
        MemorySegment memory = log.memory();
        log.append(pattern(8, 1), 0, 8);
        assertThat(log.isClosed()).isFalse();
        log.close();
        assertThat(log.isClosed()).isTrue();
        assertThat(memory.scope().isAlive()).isFalse();
        assertThatThrownBy(() -> log.tryClaim(8)).isInstanceOf(IllegalStateException.class);
        log.close(); // idempotent
    }

    /** Eight 512-byte frames: the tail ends exactly at the end of the first lap. */
    private static void fillOneLapExactly(MemoryLog log) {
        int length = log.maxRecordLength() - MemoryLog.HEADER_LENGTH;
        for (int i = 0; i < CAPACITY / log.maxRecordLength(); i++) {
            assertThat(log.append(pattern(length, i), 0, length)).isEqualTo((long) i * log.maxRecordLength());
        }
        assertThat(log.tailPosition()).isEqualTo(CAPACITY);
    }

    /** {@code length} bytes derived from {@code seed}; differs between seeds in every byte. */
    static MemorySegment pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed * 31 + i * 7 + 1);
        }
        return MemorySegment.ofArray(bytes);
    }

    private static byte[] bytesAt(MemoryLog log, long offset, int length) {
        return log.memory().asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
    }
}
