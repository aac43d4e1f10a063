package io.ferrite.pipeline.lanes;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EventHandler;
import io.ferrite.pipeline.Route;
import io.ferrite.pipeline.RoutedStage;
import io.ferrite.testing.Await;
import io.ferrite.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 while an event is unfinished in the lanes and the 50 later ones are finished: the
 * checkpoint stayed just before it, so the restarted engine hands it to the stage again (and the
 * later ones with it: at least once), and nothing before it.
 */
class LanesCrashTest {
    @TempDir
    Path dir;

    @Test
    void anEventUnfinishedInTheLanesAtAKillIsHandledAfterTheRestart() throws Exception {
        Process child = ChildJvm.start(LanesCrashChild.class, dir.toString());
        List<String> output = new CopyOnWriteArrayList<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.add(line);
                }
            } catch (java.io.IOException ignored) {
                // killed
            }
        });
        try {
            Await.until("the child finished every event but one", Duration.ofSeconds(60), () -> output.contains("READY"),
                () -> String.join("\n", output));
        } finally {
            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        List<String> before = Files.readAllLines(dir.resolve("handled.txt"));
        assertThat(before).hasSize(LanesCrashChild.COUNT - 1).doesNotContain(Long.toString(LanesCrashChild.STUCK));

        List<Long> replayed = new CopyOnWriteArrayList<>();
        EventHandler recording = (event, index, endOfBatch) -> replayed.add(event.key());
        try (Engine engine = Engine.builder().journal(dir.resolve("journal")).durability(Durability.ASYNC)
            .stage("work", new RoutedStage(Route.ALL, new PriorityLanes("work", LaneSpec.DEFAULT, recording))).build()) {
            Await.until("the restarted stage replayed from the unfinished event", Duration.ofSeconds(30),
                () -> engine.metrics().stages().getFirst().lag() == 0 && !replayed.isEmpty());
        }
        // the checkpoint never passed key 50: everything from it on comes again, nothing before it
        assertThat(replayed).contains(LanesCrashChild.STUCK).allMatch(key -> key >= LanesCrashChild.STUCK);
    }
}
