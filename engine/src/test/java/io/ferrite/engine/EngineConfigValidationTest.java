package io.ferrite.engine;

import io.ferrite.affinity.CpuLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link EngineBuilder#config()} refuses bad settings, each named together with what to do about it. */
class EngineConfigValidationTest {
    private static final EventHandler NOTHING = (event, index, endOfBatch) -> { };

    @TempDir
    Path dir;

    private static EngineBuilder valid() {
        return Engine.builder().durability(Durability.MEMORY).stage("only", NOTHING);
    }

    private static void assertInvalid(EngineBuilder builder, String... expectedParts) {
        assertThatThrownBy(builder::config)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("invalid engine configuration")
            .hasMessageContainingAll(expectedParts);
    }

    @Test
    void aValidConfigurationKeepsWhatWasSet() {
        EngineConfig config = Engine.builder().journal(dir).durability(Durability.SYNC)
            .stage("a", NOTHING).stage("b", NOTHING).capacity(100).batchSize(7).checkpointEvery(9)
            .dedupWindow(0, Duration.ofSeconds(1)).groupCommit(3, Duration.ofMillis(4)).cpuLayout(CpuLayout.none()).config();
        assertThat(config.stages()).extracting(EngineConfig.StageSpec::name).containsExactly("a", "b");
        assertThat(config.journalDirectory()).isEqualTo(dir);
        assertThat(config.capacity()).isEqualTo(100);
        assertThat(config.batchSize()).isEqualTo(7);
        assertThat(config.checkpointEvery()).isEqualTo(9);
        assertThat(config.dedupMaxEntries()).isZero();
        assertThat(config.syncMaxBatch()).isEqualTo(3);
        assertThat(config.errorHandler()).isNotNull();
        assertThat(valid().config().journalDirectory()).as("MEMORY needs no journal").isNull();
    }

    @Test
    void anEngineNeedsAStage() {
        assertInvalid(Engine.builder().durability(Durability.MEMORY), "no stages: add at least one with stage(name, handler)");
    }

    @Test
    void stageNamesMustBeUnique() {
        assertInvalid(valid().stage("other", NOTHING).stage("only", NOTHING),
            "stage names must be unique: [only, other, only]");
    }

    @ParameterizedTest
    @EnumSource(value = Durability.class, names = {"ASYNC", "SYNC"})
    void durableModesNeedAJournalDirectory(Durability durability) {
        assertInvalid(Engine.builder().durability(durability).stage("only", NOTHING),
            "journal directory is required for " + durability + " durability: call journal(Path)");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -4096, 1000, 2048, 6144})
    void theMemoryRingIsAPowerOfTwoOfAtLeast4KiB(int bytes) {
        assertInvalid(valid().memoryRingBytes(bytes),
            "memoryRingBytes must be a power of two of at least 4096, was " + bytes);
    }

    @Test
    void countsMustBePositive() {
        assertInvalid(valid().capacity(0), "capacity must be positive, was 0");
        assertInvalid(valid().batchSize(-1), "batchSize must be positive, was -1");
        assertInvalid(valid().checkpointEvery(0), "checkpointEvery must be positive, was 0");
        assertInvalid(valid().maxPayloadLength(0), "maxPayloadLength must be positive, was 0");
        assertInvalid(valid().groupCommit(0, Duration.ofMillis(1)), "syncMaxBatch must be positive, was 0");
        assertInvalid(valid().retainCycles(-1), "retainCycles must be >= 0 (0 keeps everything), was -1");
    }

    @Test
    void theDedupWindowNeedsNonNegativeEntriesAndAPositiveAge() {
        assertInvalid(valid().dedupWindow(-1, Duration.ofSeconds(1)),
            "dedup max entries must be >= 0 (0 disables dedup), was -1");
        assertInvalid(valid().dedupWindow(10, Duration.ZERO), "dedup max age must be positive, was PT0S");
        assertInvalid(valid().dedupWindow(10, Duration.ofSeconds(-1)), "dedup max age must be positive");
    }

    @Test
    void everyProblemIsReportedAtOnceOnItsOwnLine() {
        assertThatThrownBy(() -> Engine.builder().memoryRingBytes(1000).capacity(0).config())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("""
                invalid engine configuration:
                  - journal directory is required for ASYNC durability: call journal(Path)
                  - no stages: add at least one with stage(name, handler)
                  - capacity must be positive, was 0
                  - memoryRingBytes must be a power of two of at least 4096, was 1000""");
    }

    @Test
    void anUnknownRollCycleIsRefusedByConfigListingTheKnownOnes() {
        assertInvalid(Engine.builder().journal(dir).rollCycle("EVERY_FORTNIGHT").stage("only", NOTHING),
            "roll cycle 'EVERY_FORTNIGHT' is not one of", "FAST_DAILY", "FAST_HOURLY");
        assertThat(Files.exists(dir.resolve("events"))).as("nothing opened").isFalse();
    }

    @Test
    void durationsMustMakeSense() {
        assertInvalid(valid().groupCommit(16, Duration.ofMillis(-1)), "syncMaxDelay", "must be >= 0, was PT-0.001S");
        assertThat(valid().groupCommit(16, Duration.ZERO).config().syncMaxDelay()).as("0 = commit at once").isZero();
        assertInvalid(valid().closeTimeout(Duration.ofSeconds(-1)), "closeTimeout must be >= 0, was PT-1S");
    }
}
