package io.ferrite.affinity;

import io.ferrite.libc.LibC;
import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.event.Level;

import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.ferrite.affinity.CpuLayout.IO;
import static io.ferrite.affinity.CpuLayout.JOURNAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Threads from the factory really run where the layout says, or run unpinned and say why. */
class PinningThreadFactoryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int SAMPLES = 5;
    /** A CPU id within OpenHFT's 1024-bit mask that no test machine is expected to have. */
    private static final int ABSENT_CPU = 1023;
    private static final AllowedCpus UP_TO_ABSENT_CPU = AllowedCpus.range(0, ABSENT_CPU);

    static IntStream allowedCpus() {
        return AllowedCpus.ofThisProcess().stream();
    }

    @ParameterizedTest(name = "CPU {0}")
    @MethodSource("allowedCpus")
    void aPinnedThreadRunsOnItsCpu(int cpu) throws Exception {
        PinningThreadFactory factory = new PinningThreadFactory(CpuLayout.parse("io=" + cpu), IO, true);

        Observed seen = runOn(factory, Observed::now);

        BitSet onlyCpu = new BitSet();
        onlyCpu.set(cpu);
        assertThat(seen.mask()).as("affinity mask inside the thread").isEqualTo(onlyCpu);
        assertThat(seen.cpus()).as("sched_getcpu() samples").containsOnly(cpu);
        assertThat(factory.results()).containsExactly(PinResult.pinned("ferrite-io-0", IO, cpu));
    }

    @Test
    void aStageThreadWithoutItsOwnEntryRunsOnTheStagesCpu() throws Exception {
        AllowedCpus allowed = AllowedCpus.ofThisProcess();
        int cpu = allowed.cpu(allowed.count() - 1);
        PinningThreadFactory factory = new PinningThreadFactory(CpuLayout.parse("stages=" + cpu), "stage-3", true);

        int[] seen = runOn(factory, PinningThreadFactoryTest::sampleCpus);

        assertThat(seen).containsOnly(cpu);
        assertThat(factory.result("ferrite-stage-3-0")).hasValue(PinResult.pinned("ferrite-stage-3-0", "stage-3", cpu));
    }

    @Test
    void anUnpinnedRoleRunsWithTheAffinityItInheritedAndSaysWhy() throws Exception {
        int inherited = Affinity.getAffinity().cardinality();
        PinningThreadFactory factory = new PinningThreadFactory(CpuLayout.parse("none"), JOURNAL, true);

        int cpusAllowedInThread = runOn(factory, () -> Affinity.getAffinity().cardinality());

        assertThat(cpusAllowedInThread).isEqualTo(inherited);
        PinResult result = factory.results().getFirst();
        assertThat(result.isPinned()).isFalse();
        assertThat(result.cpu()).isEmpty();
        assertThat(result.reason()).isEqualTo("layout 'none'");
        assertThat(result.describe()).isEqualTo("ferrite-journal-0 (journal): unpinned (layout 'none')");
    }

    @Test
    void autoOnThisMachineDoesWhatItsPlanSays() throws Exception {
        CpuLayout layout = CpuLayout.parse("auto");
        PinningThreadFactory factory = new PinningThreadFactory(layout, JOURNAL, true);

        int[] seen = runOn(factory, PinningThreadFactoryTest::sampleCpus);

        PinResult result = factory.results().getFirst();
        if (layout.cpuFor(JOURNAL).isPresent()) {
            assertThat(result.cpu()).isEqualTo(layout.cpuFor(JOURNAL));
            assertThat(seen).containsOnly(layout.cpuFor(JOURNAL).getAsInt());
        } else {
            assertThat(result.reason()).isEqualTo(layout.unpinnedReason(JOURNAL));
        }
    }

    @Test
    void whenTheKernelRefusesTheCpuTheThreadRunsUnpinnedWithItsAffinityIntact() throws Exception {
        assumeFalse(AllowedCpus.ofThisProcess().contains(ABSENT_CPU), "this machine has CPU " + ABSENT_CPU);
        int inherited = Affinity.getAffinity().cardinality();
        CpuLayout layout = CpuLayout.parse("io=" + ABSENT_CPU, UP_TO_ABSENT_CPU);
        PinningThreadFactory factory = new PinningThreadFactory(layout, IO, true);

        int cpusAllowedInThread = runOn(factory, () -> Affinity.getAffinity().cardinality());

        assertThat(cpusAllowedInThread).isEqualTo(inherited);
        PinResult result = factory.results().getFirst();
        assertThat(result.isPinned()).isFalse();
        assertThat(result.reason()).contains("CPU " + ABSENT_CPU);
    }

    @Test
    void eachDistinctFailureIsWarnedOncePerFactory() throws Exception {
        assumeFalse(AllowedCpus.ofThisProcess().contains(ABSENT_CPU), "this machine has CPU " + ABSENT_CPU);
        PinningThreadFactory factory =
            new PinningThreadFactory(CpuLayout.parse("stage-7=" + ABSENT_CPU, UP_TO_ABSENT_CPU), "stage-7", true);

        for (int i = 0; i < 3; i++) {
            runOn(factory, () -> true);
        }

        assertThat(factory.results()).hasSize(3).noneMatch(PinResult::isPinned);
        assertThat(eventsAbout("ferrite-stage-7-", Level.WARN)).hasSize(1).first().asString()
            .startsWith("ferrite-stage-7-0 could not be pinned and runs unpinned: ")
            .contains("CPU " + ABSENT_CPU);
        assertThat(eventsAbout("ferrite-stage-7-", Level.DEBUG)).hasSize(2);
    }

    @Test
    void anUnpinnedLayoutIsLoggedOnceAtInfo() throws Exception {
        PinningThreadFactory factory = new PinningThreadFactory(CpuLayout.parse("none"), "stage-8", true);

        for (int i = 0; i < 3; i++) {
            runOn(factory, () -> true);
        }

        assertThat(eventsAbout("ferrite-stage-8-", Level.INFO)).containsExactly("ferrite-stage-8-0 runs unpinned: layout 'none'");
        assertThat(eventsAbout("ferrite-stage-8-", Level.WARN)).isEmpty();
        assertThat(eventsAbout("ferrite-stage-8-", Level.DEBUG)).hasSize(2);
    }

    @Test
    void threadsAreNamedByRoleAndCountAndDaemonAsConfigured() {
        CpuLayout layout = CpuLayout.parse("none");
        PinningThreadFactory userThreads = new PinningThreadFactory(layout, JOURNAL);
        PinningThreadFactory daemonThreads = new PinningThreadFactory(layout, "stage-2", true);

        Thread first = userThreads.newThread(() -> { });
        Thread second = userThreads.newThread(() -> { });
        Thread daemon = daemonThreads.newThread(() -> { });

        assertThat(first.getName()).isEqualTo("ferrite-journal-0");
        assertThat(second.getName()).isEqualTo("ferrite-journal-1");
        assertThat(first.isDaemon()).isFalse();
        assertThat(daemon.getName()).isEqualTo("ferrite-stage-2-0");
        assertThat(daemon.isDaemon()).isTrue();
        assertThat(first.isVirtual()).isFalse();
        assertThat(userThreads.results()).as("nothing started yet").isEmpty();
        assertThat(userThreads.role()).isEqualTo(JOURNAL);
        assertThat(userThreads.layout()).isSameAs(layout);
    }

    @Test
    void resultsAreKeptInStartOrderAndFoundByName() throws Exception {
        PinningThreadFactory factory = new PinningThreadFactory(CpuLayout.parse("none"), IO, true);

        runOn(factory, () -> true);
        runOn(factory, () -> true);

        assertThat(factory.results()).extracting(PinResult::threadName).containsExactly("ferrite-io-0", "ferrite-io-1");
        assertThat(factory.result("ferrite-io-1")).map(PinResult::reason).hasValue("layout 'none'");
        assertThat(factory.result("ferrite-io-2")).isEmpty();
    }

    @Test
    void aTaskThatThrowsReachesTheUncaughtExceptionHandler() throws Exception {
        AllowedCpus allowed = AllowedCpus.ofThisProcess();
        PinningThreadFactory factory = new PinningThreadFactory(CpuLayout.parse("io=" + allowed.cpu(0)), IO, true);
        CompletableFuture<Throwable> uncaught = new CompletableFuture<>();
        IllegalStateException failure = new IllegalStateException("stage bug");

        Thread thread = factory.newThread(() -> {
            throw failure;
        });
        thread.setUncaughtExceptionHandler((t, e) -> uncaught.complete(e));
        thread.start();

        assertThat(uncaught.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isSameAs(failure);
        assertThat(thread.join(TIMEOUT)).isTrue();
        assertThat(factory.results()).containsExactly(PinResult.pinned("ferrite-io-0", IO, allowed.cpu(0)));
    }

    @Test
    void anUnknownRoleIsRejectedWhenTheFactoryIsMade() {
        CpuLayout layout = CpuLayout.parse("none");
        assertThatThrownBy(() -> new PinningThreadFactory(layout, "gpu"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("cpu layout 'none': unknown role 'gpu' (roles: io, journal, stages, stage-N)");
    }

    /** What a thread sees of its own placement. */
    private record Observed(BitSet mask, int[] cpus) {
        static Observed now() {
            return new Observed(Affinity.getAffinity(), sampleCpus());
        }
    }

    private static int[] sampleCpus() {
        int[] cpus = new int[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            cpus[i] = LibC.schedGetCpu();
            Thread.yield();
        }
        return cpus;
    }

    /** Starts a factory thread running {@code body}, waits for its value and for the thread to end. */
    private static <T> T runOn(PinningThreadFactory factory, Callable<T> body) throws Exception {
        CompletableFuture<T> value = new CompletableFuture<>();
        Thread thread = factory.newThread(() -> {
            try {
                value.complete(body.call());
            } catch (Throwable t) {
                value.completeExceptionally(t);
            }
        });
        thread.start();
        T result = value.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(thread.join(TIMEOUT)).as("%s ended", thread.getName()).isTrue();
        return result;
    }

    private static List<String> eventsAbout(String threadNamePrefix, Level level) {
        return RecordingLogs.events().stream()
            .filter(e -> e.logger().equals(PinningThreadFactory.class.getName()))
            .filter(e -> e.level() == level && e.message().startsWith(threadNamePrefix))
            .map(RecordingLogs.Event::message)
            .toList();
    }

    @Test
    void samplingHelperSeesOnlyAllowedCpus() {
        AllowedCpus allowed = AllowedCpus.ofThisProcess();
        assertThat(Arrays.stream(sampleCpus())).allMatch(allowed::contains);
    }
}
