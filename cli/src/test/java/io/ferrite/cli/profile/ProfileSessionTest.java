package io.ferrite.cli.profile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real async-profiler sessions in this JVM, sampling a busy loop that allocates. */
class ProfileSessionTest {
    /** Where busyWork's arrays escape to, so the JIT cannot take the allocations away. */
    private static volatile byte[] sink;

    @TempDir
    Path dir;

    /** Enough work for a few hundred 1 ms samples; allocates so the alloc event has something too. */
    private static long busyWork() {
        long sum = 0;
        long until = System.nanoTime() + 400_000_000L;
        while (System.nanoTime() < until) {
            for (int i = 0; i < 1_000; i++) {
                byte[] bytes = new byte[64 + (i & 63)];
                sink = bytes;
                sum += bytes.length;
            }
        }
        return sum;
    }

    @ParameterizedTest
    @EnumSource(value = ProfileEvent.class, names = {"CPU", "ALLOC", "WALL"})
    void aSessionWritesAFlamegraphAndCollapsedStacksOfWhatRan(ProfileEvent event) throws IOException {
        ProfileSession session = ProfileSession.start(event);
        assertThat(busyWork()).isPositive();
        ProfileResult result = session.stop(dir);

        assertThat(result.flamegraph()).isEqualTo(dir.resolve("flame-" + event.eventName() + ".html"));
        assertThat(Files.readString(result.flamegraph(), StandardCharsets.UTF_8)).startsWith("<!DOCTYPE html>");
        List<String> stacks = Files.readAllLines(result.collapsed(), StandardCharsets.UTF_8);
        assertThat(result.samples()).isPositive();
        assertThat(stacks).anyMatch(line -> line.contains("ProfileSessionTest.busyWork"));
        assertThat(result.describe()).contains(result.flamegraph().toString(), result.samples() + " samples");
    }

    @Test
    void onlyOneSessionRunsAtATime() {
        ProfileSession first = ProfileSession.start(ProfileEvent.CPU);
        try {
            assertThatThrownBy(() -> ProfileSession.start(ProfileEvent.WALL))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already running");
        } finally {
            first.abandon();
        }
        ProfileSession.start(ProfileEvent.WALL).abandon(); // free again once the first is over
    }

    @Test
    void whereTheKernelForbidsPerfEventsACpuSessionSamplesWithItimerAndSaysSo() throws IOException {
        ProfileSession session = ProfileSession.start(ProfileEvent.CPU, 3);
        busyWork();
        ProfileResult result = session.stop(dir);
        assertThat(result.sampled()).isEqualTo("itimer");
        assertThat(result.note()).contains("perf_event_paranoid=3", "itimer");
        assertThat(result.samples()).isPositive();
        assertThat(result.describe()).contains("itimer", "perf_event_paranoid=3");
    }

    @Test
    void anUnknownEventNamesTheKnownOnes() {
        assertThatThrownBy(() -> ProfileEvent.parse("heap"))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("profile event 'heap' is not one of cpu, alloc, wall, lock");
        assertThat(ProfileEvent.parse(" LOCK ")).isEqualTo(ProfileEvent.LOCK);
    }

    @Test
    void samplesAreCountedFromTheCollapsedStacks() {
        assertThat(ProfileSession.countSamples("a;b;c 12\na;d 3\n\nnot a stack\n")).isEqualTo(15);
    }
}
