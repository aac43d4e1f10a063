package io.ferrite.engine.journal;

import io.ferrite.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link GroupCommitter}'s rules, driven by hand on the test thread over a real SYNC journal: a
 * group is synced when {@code maxBatch} appends wait or the oldest has waited {@code maxDelay},
 * and only then does {@link GroupCommitter#durableGate()} pass the appended indices.
 */
class GroupCommitterTest {
    private static final long HOUR_NANOS = TimeUnit.HOURS.toNanos(1);

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment payload = arena.allocate(16);
    private final AtomicLong appended = new AtomicLong();
    private ChronicleJournal journal;

    @BeforeEach
    void open() {
        journal = ChronicleJournal.open(new JournalConfig(dir, "FAST_DAILY", true, 0, 1024));
    }

    @AfterEach
    void close() {
        journal.close();
        arena.close();
    }

    /** What the sequencer does for one publish: append, then publish the journal's new end. */
    private long append() {
        long index = JournalTesting.append(journal, System.nanoTime(), 0, 0, 0, 0, 1, 0, payload, 0, 16);
        assertThat(index).isGreaterThanOrEqualTo(0);
        appended.set(index + 1);
        return index;
    }

    @Test
    void syncsOnceMaxBatchAppendsWaitAndNotBefore() {
        GroupCommitter committer = new GroupCommitter(journal, appended::get, 4, HOUR_NANOS);
        committer.onStart();
        long syncsAtStart = committer.syncs();
        long first = append();
        long second = append();
        long third = append();
        for (int i = 0; i < 3; i++) {
            assertThat(committer.doWork()).isZero();
        }
        assertThat(committer.durableGate()).isLessThanOrEqualTo(first);
        assertThat(committer.syncs()).isEqualTo(syncsAtStart);

        long fourth = append();
        assertThat(committer.doWork()).isOne();
        assertThat(committer.durableGate()).isGreaterThan(fourth).isGreaterThan(third).isGreaterThan(second);
        assertThat(committer.syncs()).isEqualTo(syncsAtStart + 1);
        assertThat(committer.doWork()).as("nothing waits").isZero();
        committer.onClose();
    }

    @Test
    void syncsALoneAppendOnceItHasWaitedMaxDelay() {
        Duration maxDelay = Duration.ofMillis(50);
        GroupCommitter committer = new GroupCommitter(journal, appended::get, 1_000, maxDelay.toNanos());
        committer.onStart();
        long index = append();
        long start = System.nanoTime();
        assertThat(committer.doWork()).as("first look at the waiting append").isZero();
        assertThat(committer.durableGate()).isLessThanOrEqualTo(index);
        io.ferrite.testing.Await.until("the group commit synced", Duration.ofSeconds(10), () -> committer.doWork() == 1);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(maxDelay.toNanos());
        assertThat(committer.durableGate()).isGreaterThan(index);
        committer.onClose();
    }

    @Test
    void startCoversWhatWasJournaledBeforeAndCloseCoversWhatIsLeft() {
        long earlier = JournalTesting.append(journal, 0, 0, 0, 0, 0, 1, 0, payload, 0, 16);
        appended.set(journal.nextIndex()); // a sequencer opened on this journal starts there
        GroupCommitter committer = new GroupCommitter(journal, appended::get, 1_000, HOUR_NANOS);
        committer.onStart();
        assertThat(committer.durableGate()).isGreaterThan(earlier);
        long index = append();
        assertThat(committer.doWork()).isZero();
        assertThat(committer.durableGate()).isLessThanOrEqualTo(index);
        committer.onClose();
        assertThat(committer.durableGate()).isGreaterThan(index);
    }

    @Test
    void refusesAJournalOpenedWithoutSyncToDisk() {
        try (ChronicleJournal plain = ChronicleJournal.open(JournalConfig.of(dir.resolve("plain")))) {
            assertThatThrownBy(() -> new GroupCommitter(plain, appended::get, 4, HOUR_NANOS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("syncToDisk");
        }
    }
}
