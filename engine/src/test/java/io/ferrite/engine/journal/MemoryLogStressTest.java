package io.ferrite.engine.journal;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Four producers append 250k records each, of random length, to a 64 KiB {@link MemoryLog}, so
 * the ring laps thousands of times. Every record carries its producer id, a per-producer sequence
 * and a checksum of its body; consumers check each arrives exactly once, in producer order, with
 * its body intact (a commit published before the body is written shows up as a bad checksum,
 * because released memory reads as zeros), and release as they go.
 *
 * <p>Half the producers write in place ({@code tryClaim}, stores, {@code commit}); the others use
 * {@code append}. About one claim in 64 is filled with a valid-looking copy of the next record and
 * aborted: a reader that failed to skip it would see a sequence twice.
 */
class MemoryLogStressTest {
    private static final int PRODUCERS = 4;
    private static final int RECORDS_PER_PRODUCER = 250_000;
    private static final int CAPACITY = 64 * 1024;
    private static final long TIMEOUT_SECONDS = 60;

    /** Body layout: offsets into the payload. */
    private static final int SEQUENCE_OFFSET = 0;
    private static final int PRODUCER_OFFSET = 8;
    private static final int LENGTH_OFFSET = 12;
    private static final int CHECKSUM_OFFSET = 16;
    private static final int FILLER_OFFSET = 24;
    private static final int MIN_LENGTH = FILLER_OFFSET;

    @Test
    void oneReaderSeesEveryRecordOnceInProducerOrderAndReleasesAsItGoes() throws Exception {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            AtomicBoolean stop = new AtomicBoolean();
            Checker checker = new Checker("reader");
            MemoryLogReader reader = log.reader(0);
            run(log, stop, () -> {
                consume(log, reader, checker, null, null, stop);
                return checker;
            });
            checker.assertComplete();
            assertThat(log.releasedPosition()).isEqualTo(log.tailPosition());
            assertThat(log.tailPosition() / CAPACITY).as("laps").isGreaterThan(500);
        }
    }

    @Test
    void aGatedSecondReaderSeesTheSameStreamBehindTheFirstAndReleases() throws Exception {
        try (MemoryLog log = new MemoryLog(CAPACITY)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong firstCursor = new AtomicLong();
            Checker first = new Checker("reader A");
            Checker second = new Checker("reader B");
            MemoryLogReader readerA = log.reader(0);
            MemoryLogReader readerB = log.reader(0);
            run(log, stop,
                () -> {
                    consume(log, readerA, first, null, firstCursor, stop);
                    return first;
                },
                () -> {
                    consume(log, readerB, second, firstCursor, null, stop);
                    return second;
                });
            first.assertComplete();
            second.assertComplete();
            assertThat(readerB.cursor()).isEqualTo(readerA.cursor());
            assertThat(log.releasedPosition()).isEqualTo(log.tailPosition());
        }
    }

    @SafeVarargs
    private static void run(MemoryLog log, AtomicBoolean stop, java.util.concurrent.Callable<Checker>... consumers)
        throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(PRODUCERS + consumers.length);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (var consumer : consumers) {
                futures.add(executor.submit(consumer));
            }
            for (int p = 0; p < PRODUCERS; p++) {
                int producerId = p;
                futures.add(executor.submit(() -> {
                    start.await();
                    produce(log, producerId, stop);
                    return null;
                }));
            }
            start.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            for (Future<?> future : futures) {
                future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            stop.set(true); // unblocks everyone if one side failed
            executor.shutdownNow();
            assertThat(executor.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static void produce(MemoryLog log, int producerId, AtomicBoolean stop) {
        SplittableRandom random = new SplittableRandom(producerId * 7919L + 17);
        boolean inPlace = producerId % 2 == 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment scratch = arena.allocate(log.maxRecordLength(), 8);
            for (long sequence = 0; sequence < RECORDS_PER_PRODUCER; ) {
                int length = random.nextInt(16) == 0
                    ? random.nextInt(MIN_LENGTH, log.maxRecordLength() + 1)
                    : random.nextInt(MIN_LENGTH, 256);
                boolean abort = random.nextInt(64) == 0;
                long position;
                if (inPlace || abort) {
                    position = log.tryClaim(length);
                    if (position >= 0) {
                        writeBody(log.memory(), log.payloadOffset(position), length, producerId, sequence);
                        if (abort) {
                            log.abort(position);
                            continue; // the same sequence again, for real
                        }
                        log.commit(position);
                    }
                } else {
                    writeBody(scratch, 0, length, producerId, sequence);
                    position = log.append(scratch, 0, length);
                }
                if (position >= 0) {
                    sequence++;
                } else {
                    assertThat(position).isEqualTo(MemoryLog.BACK_PRESSURED);
                    if (stop.get() || Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    Thread.yield(); // 2 cores: let the consumer run
                }
            }
        }
    }

    /**
     * Reads until every record has arrived. {@code gate}, when given, is the cursor of the stage
     * before (read with acquire); {@code publish}, when given, receives this reader's cursor (with
     * release) after it has checked the records before it. The reader with no {@code publish}
     * is the last stage and releases.
     */
    private static void consume(MemoryLog log, MemoryLogReader reader, Checker checker, AtomicLong gate,
                                AtomicLong publish, AtomicBoolean stop) {
        long expected = (long) PRODUCERS * RECORDS_PER_PRODUCER;
        int sinceRelease = 0;
        while (checker.count < expected) {
            long limit = gate == null ? Long.MAX_VALUE : gate.getAcquire();
            long position = reader.nextRecord(limit);
            if (position == MemoryLogReader.NOT_READY) {
                if (publish == null) {
                    log.releaseUpTo(reader.cursor());
                }
                if (stop.get() || Thread.currentThread().isInterrupted()) {
                    throw new AssertionError(checker.name + " stopped after " + checker.count + " records");
                }
                Thread.yield();
                continue;
            }
            checker.check(log.memory(), reader);
            reader.advance();
            if (publish != null) {
                publish.setRelease(reader.cursor());
            } else if (++sinceRelease == 32) {
                sinceRelease = 0;
                log.releaseUpTo(reader.cursor());
            }
        }
        if (publish == null) {
            log.releaseUpTo(reader.cursor());
        }
        // Nothing after the last record, aborted claims aside.
        assertThat(reader.nextRecord(gate == null ? Long.MAX_VALUE : gate.getAcquire()))
            .isEqualTo(MemoryLogReader.NOT_READY);
    }

    private static void writeBody(MemorySegment target, long offset, int length, int producerId, long sequence) {
        target.set(ValueLayout.JAVA_LONG, offset + SEQUENCE_OFFSET, sequence);
        target.set(ValueLayout.JAVA_INT, offset + PRODUCER_OFFSET, producerId);
        target.set(ValueLayout.JAVA_INT, offset + LENGTH_OFFSET, length);
        long x = sequence * 0x9E37_79B9_7F4A_7C15L + producerId + 1;
        for (int i = FILLER_OFFSET; i < length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            target.set(ValueLayout.JAVA_BYTE, offset + i, (byte) x);
        }
        target.set(ValueLayout.JAVA_LONG, offset + CHECKSUM_OFFSET, checksum(target, offset, length));
    }

    /** FNV-1a over the body, checksum field excluded. */
    private static long checksum(MemorySegment source, long offset, int length) {
        long hash = 0xCBF2_9CE4_8422_2325L;
        for (int i = 0; i < length; i++) {
            if (i == CHECKSUM_OFFSET) {
                i += Long.BYTES - 1;
                continue;
            }
            hash = (hash ^ (source.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF)) * 0x0100_0000_01B3L;
        }
        return hash;
    }

    /** One consumer's view: next expected sequence per producer. Single-threaded. */
    private static final class Checker {
        final String name;
        final long[] nextSequence = new long[PRODUCERS];
        long count;
        long lastPosition = -1;

        Checker(String name) {
            this.name = name;
        }

        void check(MemorySegment memory, MemoryLogReader reader) {
            long position = reader.position();
            long offset = reader.payloadOffset();
            int length = reader.payloadLength();
            if (position <= lastPosition) {
                throw new AssertionError(name + ": position " + position + " after " + lastPosition);
            }
            lastPosition = position;
            if (length < MIN_LENGTH || memory.get(ValueLayout.JAVA_INT, offset + LENGTH_OFFSET) != length) {
                throw new AssertionError(name + ": bad length " + length + " at " + position);
            }
            int producer = memory.get(ValueLayout.JAVA_INT, offset + PRODUCER_OFFSET);
            long sequence = memory.get(ValueLayout.JAVA_LONG, offset + SEQUENCE_OFFSET);
            if (producer < 0 || producer >= PRODUCERS) {
                throw new AssertionError(name + ": bad producer " + producer + " at " + position);
            }
            if (memory.get(ValueLayout.JAVA_LONG, offset + CHECKSUM_OFFSET) != checksum(memory, offset, length)) {
                throw new AssertionError(name + ": torn body at " + position + " (producer " + producer
                    + ", sequence " + sequence + ", length " + length + ")");
            }
            if (sequence != nextSequence[producer]) {
                throw new AssertionError(name + ": producer " + producer + " sequence " + sequence
                    + " where " + nextSequence[producer] + " was expected, at " + position);
            }
            nextSequence[producer]++;
            count++;
        }

        void assertComplete() {
            assertThat(count).as(name + " records").isEqualTo((long) PRODUCERS * RECORDS_PER_PRODUCER);
            assertThat(nextSequence).as(name + " per producer").containsOnly(RECORDS_PER_PRODUCER);
        }
    }
}
