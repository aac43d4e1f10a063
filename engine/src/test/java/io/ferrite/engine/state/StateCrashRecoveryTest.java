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
 * A process killed (kill -9) with its checkpoint map open, holding a segment lock: reopening the
 * map (no clean-close marker, so it is recovered) keeps every checkpoint and does not stall on the
 * dead process's lock.
 */
class StateCrashRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void checkpointsOfAKilledProcessAreRecoveredWithTheirDataAndWithoutItsLocks() throws Exception {
        killChildOnceReady();
        Path file = dir.resolve("checkpoints.dat");
        assertThat(file).exists();
        assertThat(dir.resolve("checkpoints.dat.clean")).as("a killed process leaves no clean-close marker").doesNotExist();

        try (CheckpointStore checkpoints = CheckpointStore.open(file)) {
            List<String> wrong = new ArrayList<>();
            for (int n = 0; n < StateCrashChild.CONSUMERS; n++) {
                long held = checkpoints.load(StateCrashChild.consumer(n));
                if (held != StateCrashChild.checkpointOf(n)) {
                    wrong.add(StateCrashChild.consumer(n) + " -> " + held);
                }
            }
            assertThat(wrong).as("checkpoints that were not recovered").isEmpty();
            // The dead process held this entry's segment lock; recovery must have cleared it.
            CompletableFuture.runAsync(() -> checkpoints.slot(StateCrashChild.consumer(0)).store(42))
                .get(20, TimeUnit.SECONDS);
            assertThat(checkpoints.load(StateCrashChild.consumer(0))).isEqualTo(42);
        }
        assertThat(dir.resolve("checkpoints.dat.clean")).as("written by a clean close").exists();
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
            .contains("checkpoints.dat");
    }
}
