package io.ferrite.engine.state;

import io.ferrite.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A process killed (kill -9) with its state maps open, holding a segment lock: reopening the maps
 * (no clean-close marker, so they are recovered) keeps every completed dedup entry and every
 * checkpoint, keeps nothing of the dead process's reservation, and does not stall on its locks.
 */
class StateCrashRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void mapsOfAKilledProcessAreRecoveredWithTheirDataAndWithoutItsReservationsOrLocks() throws Exception {
        killChildOnceReady();
        Path dedupFile = dir.resolve("dedup.dat");
        assertThat(dedupFile).exists();
        assertThat(dir.resolve("dedup.dat.clean")).as("a killed process leaves no clean-close marker").doesNotExist();
        assertThat(dir.resolve("checkpoints.dat.clean")).doesNotExist();

        try (DedupWindow window = DedupWindow.open(dedupFile, StateCrashChild.ENTRIES)) {
            // The dead process held this segment's update lock; recovery must have cleared it.
            long locked = CompletableFuture.supplyAsync(() -> window.reserve(StateCrashChild.LOCKED_ID))
                .get(20, TimeUnit.SECONDS);
            assertThat(locked).isEqualTo(StateCrashChild.indexOf(StateCrashChild.LOCKED_ID));
            List<String> wrong = new ArrayList<>();
            for (long id = 1; id <= StateCrashChild.COMPLETED; id++) {
                long held = window.lookup(id);
                if (held != StateCrashChild.indexOf(id)) {
                    wrong.add(id + " -> " + held);
                }
            }
            assertThat(wrong).as("completed ids that were not recovered").isEmpty();
            long dead = StateCrashChild.RESERVED_AT_KILL;
            assertThat(window.lookup(dead)).as("the dead process's reservation").isEqualTo(DedupWindow.ABSENT);
            assertThat(CompletableFuture.supplyAsync(() -> {
                long result = window.reserve(dead);
                window.cancel(dead);
                return result;
            }).get(20, TimeUnit.SECONDS)).as("its segment lock was cleared too").isEqualTo(DedupWindow.RESERVED);
            assertThat(window.size()).isEqualTo(StateCrashChild.COMPLETED);
        }
        assertThat(dir.resolve("dedup.dat.clean")).as("written by a clean close").exists();

        try (CheckpointStore checkpoints = CheckpointStore.open(dir.resolve("checkpoints.dat"))) {
            assertThat(checkpoints.load("stage-a")).isEqualTo(123_456);
            assertThat(checkpoints.load("stage-b")).isEqualTo(789);
        }
    }

    private void killChildOnceReady() throws IOException, InterruptedException {
        Process child = ChildJvm.start(StateCrashChild.class, dir.toString());
        List<String> output = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            // readLine returns null if the child dies first; the surefire timeout bounds a hang.
            String line;
            while ((line = lines.readLine()) != null && !line.equals("READY")) {
                output.add(line);
            }
            assertThat(line).as("child output: %s", output).isEqualTo("READY");
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList())
            .contains("dedup.dat", "checkpoints.dat");
    }
}
