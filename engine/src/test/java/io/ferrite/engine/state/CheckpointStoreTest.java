package io.ferrite.engine.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link CheckpointStore} on real Chronicle Map files: slots, loads, and what survives a reopen. */
class CheckpointStoreTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("checkpoints.dat");
    }

    @Test
    void eachConsumerHasItsOwnSlotStartingAtNone() {
        try (CheckpointStore store = CheckpointStore.open(file())) {
            assertThat(store.load("never-slotted")).isEqualTo(CheckpointStore.NONE);
            CheckpointStore.Slot a = store.slot("stage-a");
            CheckpointStore.Slot b = store.slot("stage-b");
            assertThat(a.consumer()).isEqualTo("stage-a");
            assertThat(a.get()).isEqualTo(CheckpointStore.NONE);
            assertThat(b.get()).isEqualTo(CheckpointStore.NONE);
            a.store(41);
            a.store(42);
            assertThat(a.get()).isEqualTo(42);
            assertThat(b.get()).as("another consumer's slot").isEqualTo(CheckpointStore.NONE);
            assertThat(store.load("stage-a")).isEqualTo(42);
            assertThat(store.load("stage-b")).isEqualTo(CheckpointStore.NONE);
            b.store(7);
            assertThat(a.get()).isEqualTo(42);
            assertThat(store.load("stage-b")).isEqualTo(7);
            assertThat(store.slot("stage-a").get()).as("a second slot for the same consumer").isEqualTo(42);
        }
    }

    @Test
    void slotsStoredAfterOtherSlotsWereCreatedAreKeptApart() {
        // The engine's order: one slot per stage, all made first; the stages store later.
        try (CheckpointStore store = CheckpointStore.open(file())) {
            CheckpointStore.Slot stage = store.slot("stopping");
            CheckpointStore.Slot other = store.slot("second-stage");
            for (long index = 0; index < 300; index++) {
                stage.store(index);
            }
            assertThat(stage.get()).isEqualTo(299);
            assertThat(other.get()).isEqualTo(CheckpointStore.NONE);
            assertThat(store.load("stopping")).isEqualTo(299);
            assertThat(store.load("second-stage")).isEqualTo(CheckpointStore.NONE);
        }
    }

    @Test
    void storedCheckpointsSurviveCloseAndReopenAndSlottingAgainKeepsThem() {
        try (CheckpointStore store = CheckpointStore.open(file())) {
            store.slot("stage-a").store(1_000_000_007L);
            store.slot("stage-b").store(3);
            store.slot("untouched");
        }
        try (CheckpointStore store = CheckpointStore.open(file())) {
            assertThat(store.load("stage-a")).isEqualTo(1_000_000_007L);
            assertThat(store.load("stage-b")).isEqualTo(3);
            assertThat(store.load("untouched")).isEqualTo(CheckpointStore.NONE);
            CheckpointStore.Slot a = store.slot("stage-a");
            assertThat(a.get()).as("slot() must not reset a stored checkpoint").isEqualTo(1_000_000_007L);
            a.store(1_000_000_008L);
        }
        try (CheckpointStore store = CheckpointStore.open(file())) {
            assertThat(store.load("stage-a")).isEqualTo(1_000_000_008L);
        }
    }

    @Test
    void anInMemoryStoreWorksTheSameWayButKeepsNothing() {
        try (CheckpointStore store = CheckpointStore.inMemory()) {
            CheckpointStore.Slot a = store.slot("a");
            CheckpointStore.Slot b = store.slot("b");
            a.store(5);
            assertThat(store.load("a")).isEqualTo(5);
            assertThat(b.get()).isEqualTo(CheckpointStore.NONE);
        }
    }
}
