package io.ferrite.affinity;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.OptionalInt;

import static io.ferrite.affinity.CpuLayout.IO;
import static io.ferrite.affinity.CpuLayout.JOURNAL;
import static io.ferrite.affinity.CpuLayout.STAGES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing, validation, the auto rule and stage fallback of {@link CpuLayout}. */
class CpuLayoutTest {
    private static final AllowedCpus TWO = AllowedCpus.parse("0-1");
    private static final AllowedCpus EIGHT = AllowedCpus.parse("0-7");
    private static final String TWO_CPUS_REASON =
        "2 CPUs: pinning disabled to avoid starving busy threads; use an explicit layout on isolated cores";

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "io=7              | cpu layout 'io=7': CPU 7 is not available to this process (allowed: 0-1)",
        "io=0,journal=2    | cpu layout 'io=0,journal=2': CPU 2 is not available to this process (allowed: 0-1)",
        "foo=1             | cpu layout 'foo=1': unknown role 'foo' (roles: io, journal, stages, stage-N)",
        "IO=1              | cpu layout 'IO=1': unknown role 'IO' (roles: io, journal, stages, stage-N)",
        "stage-x=1         | cpu layout 'stage-x=1': unknown role 'stage-x' (roles: io, journal, stages, stage-N)",
        "stage-01=1        | cpu layout 'stage-01=1': unknown role 'stage-01' (roles: io, journal, stages, stage-N)",
        "stage-=1          | cpu layout 'stage-=1': unknown role 'stage-' (roles: io, journal, stages, stage-N)",
        "=1                | cpu layout '=1': unknown role '' (roles: io, journal, stages, stage-N)",
        "io=x              | cpu layout 'io=x': 'x' is not a CPU number",
        "io=-1             | cpu layout 'io=-1': '-1' is not a CPU number",
        "io=               | cpu layout 'io=': '' is not a CPU number",
        "io=1.5            | cpu layout 'io=1.5': '1.5' is not a CPU number",
        "io=0,io=1         | cpu layout 'io=0,io=1': role 'io' is given twice; keep one io=cpu entry",
        "stage-2=0,stage-2=0 | cpu layout 'stage-2=0,stage-2=0': role 'stage-2' is given twice; keep one stage-2=cpu entry",
        "\"\"              | cpu layout '': empty; use 'auto', 'none' or role=cpu pairs like 'io=1,journal=2,stages=3'",
        "\"   \"           | cpu layout '   ': empty; use 'auto', 'none' or role=cpu pairs like 'io=1,journal=2,stages=3'",
        "io                | cpu layout 'io': entry 'io' is not role=cpu; write it as role=cpu, e.g. io=1",
        "auto,io=1         | cpu layout 'auto,io=1': entry 'auto' is not role=cpu; 'auto' must stand alone",
        "io=1,             | cpu layout 'io=1,': empty entry; separate role=cpu pairs with single commas",
        "io=0,,journal=1   | cpu layout 'io=0,,journal=1': empty entry; separate role=cpu pairs with single commas",
    })
    void badSpecsSayWhatIsWrongAndHowToFixIt(String spec, String message) {
        assertThatThrownBy(() -> CpuLayout.parse(spec, TWO))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
    }

    @Test
    void nullSpecIsABug() {
        assertThatThrownBy(() -> CpuLayout.parse(null, TWO)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void noneLeavesEveryRoleUnpinned() {
        CpuLayout layout = CpuLayout.parse("none", EIGHT);
        assertThat(layout.pins()).isFalse();
        assertThat(layout.spec()).isEqualTo("none");
        for (String role : new String[] {IO, JOURNAL, STAGES, "stage-3"}) {
            assertThat(layout.cpuFor(role)).as(role).isEmpty();
            assertThat(layout.unpinnedReason(role)).as(role).isEqualTo("layout 'none'");
        }
        assertThat(layout.plan()).contains("io       unpinned (layout 'none')");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "3"})
    void autoOnOneCpuPinsNothing(String list) {
        CpuLayout layout = CpuLayout.parse("auto", AllowedCpus.parse(list));
        assertThat(layout.pins()).isFalse();
        assertThat(layout.cpuFor(IO)).isEmpty();
        assertThat(layout.unpinnedReason(IO)).isEqualTo(
            "1 CPU: pinning disabled to avoid starving busy threads; use an explicit layout on isolated cores");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0-1", "2,5"})
    void autoOnTwoCpusPinsNothingAndSaysWhy(String list) {
        CpuLayout layout = CpuLayout.parse("auto", AllowedCpus.parse(list));
        assertThat(layout.pins()).isFalse();
        for (String role : new String[] {IO, JOURNAL, STAGES, "stage-0"}) {
            assertThat(layout.cpuFor(role)).as(role).isEmpty();
            assertThat(layout.unpinnedReason(role)).as(role).isEqualTo(TWO_CPUS_REASON);
        }
        assertThat(layout.plan()).contains("journal  unpinned (" + TWO_CPUS_REASON + ")");
        assertThat(layout).hasToString("CpuLayout[auto: unpinned]");
    }

    @Test
    void autoOnThreeCpusPinsIoAndJournalAndLeavesStagesWithTheOs() {
        CpuLayout layout = CpuLayout.parse("auto", AllowedCpus.parse("0-2"));
        assertThat(layout.cpuFor(IO)).hasValue(1);
        assertThat(layout.cpuFor(JOURNAL)).hasValue(2);
        assertThat(layout.cpuFor(STAGES)).isEmpty();
        assertThat(layout.unpinnedReason(STAGES))
            .isEqualTo("3 CPUs: stages share CPU 0 with the OS; auto pins stages from 4 CPUs on, or use an explicit layout");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0-3", "0-7", "0-63"})
    void autoOnFourOrMoreCpusLeavesCpu0ToTheOsAndPinsIoJournalStages(String list) {
        CpuLayout layout = CpuLayout.parse("auto", AllowedCpus.parse(list));
        assertThat(layout.pins()).isTrue();
        assertThat(layout.cpuFor(IO)).hasValue(1);
        assertThat(layout.cpuFor(JOURNAL)).hasValue(2);
        assertThat(layout.cpuFor(STAGES)).hasValue(3);
        assertThat(layout.cpuFor("stage-5")).hasValue(3);
        assertThat(layout.unpinnedReason(IO)).isEmpty();
        assertThat(layout).hasToString("CpuLayout[auto: io=1, journal=2, stages=3]");
    }

    @Test
    void autoTakesTheAllowedCpusInAscendingOrderAndLeavesTheLowestFree() {
        CpuLayout layout = CpuLayout.parse("auto", AllowedCpus.parse("9,2,4-6"));
        assertThat(layout.cpuFor(IO)).hasValue(4);
        assertThat(layout.cpuFor(JOURNAL)).hasValue(5);
        assertThat(layout.cpuFor(STAGES)).hasValue(6);
        assertThat(layout.plan()).contains("CPUs 2,9 left to the OS, GC, JIT and unpinned threads");
    }

    @Test
    void autoPlanOnEightCpusReadsAsDocumented() {
        assertThat(CpuLayout.parse(" auto ", EIGHT).plan()).isEqualTo("""
            cpu layout 'auto' on 8 allowed CPUs (0-7):
              io       CPU 1
              journal  CPU 2
              stages   CPU 3
              stage-N  as stages, unless listed above
              CPUs 0,4-7 left to the OS, GC, JIT and unpinned threads
            """);
    }

    @Test
    void explicitLayoutPinsEachRoleItNamesAndRolesMayShareACpu() {
        CpuLayout layout = CpuLayout.parse("io=0,journal=1,stages=1", TWO);
        assertThat(layout.pins()).isTrue();
        assertThat(layout.spec()).isEqualTo("io=0,journal=1,stages=1");
        assertThat(layout.cpuFor(IO)).hasValue(0);
        assertThat(layout.cpuFor(JOURNAL)).hasValue(1);
        assertThat(layout.cpuFor(STAGES)).hasValue(1);
        assertThat(layout.plan()).isEqualTo("""
            cpu layout 'io=0,journal=1,stages=1' on 2 allowed CPUs (0-1):
              io       CPU 0
              journal  CPU 1 (shared with stages)
              stages   CPU 1 (shared with journal)
              stage-N  as stages, unless listed above
              no CPU left free: the OS, GC and JIT share the pinned cores
            """);
    }

    @Test
    void explicitLayoutIgnoresSpacesAroundEntries() {
        CpuLayout layout = CpuLayout.parse("  journal = 1 , io=0  ", TWO);
        assertThat(layout.spec()).isEqualTo("journal = 1 , io=0");
        assertThat(layout.cpuFor(IO)).hasValue(0);
        assertThat(layout.cpuFor(JOURNAL)).hasValue(1);
        assertThat(layout).hasToString("CpuLayout[journal = 1 , io=0: io=0, journal=1]");
    }

    @Test
    void rolesLeftOutOfAnExplicitLayoutRunUnpinnedAndSaySo() {
        CpuLayout layout = CpuLayout.parse("io=1", TWO);
        assertThat(layout.cpuFor(JOURNAL)).isEmpty();
        assertThat(layout.unpinnedReason(JOURNAL)).isEqualTo("no 'journal' entry in layout 'io=1'");
        assertThat(layout.cpuFor("stage-3")).isEmpty();
        assertThat(layout.unpinnedReason("stage-3")).isEqualTo("no 'stage-3' or 'stages' entry in layout 'io=1'");
        assertThat(layout.plan())
            .contains("journal  unpinned (no 'journal' entry in layout 'io=1')")
            .contains("stage-N  unpinned, unless listed above")
            .contains("  CPU 0 left to the OS");
    }

    @Test
    void stageNUsesItsOwnEntryElseFallsBackToStages() {
        CpuLayout layout = CpuLayout.parse("stages=1,stage-0=0", TWO);
        assertThat(layout.cpuFor("stage-0")).hasValue(0);
        assertThat(layout.cpuFor("stage-1")).hasValue(1);
        assertThat(layout.cpuFor(CpuLayout.stage(42))).hasValue(1);
        assertThat(layout.cpuFor(STAGES)).hasValue(1);
        assertThat(layout.cpuFor(IO)).isEmpty();
    }

    @Test
    void stageNWithoutStagesEntryIsUnpinned() {
        CpuLayout layout = CpuLayout.parse("stage-1=0", TWO);
        assertThat(layout.cpuFor("stage-1")).hasValue(0);
        assertThat(layout.cpuFor("stage-0")).isEmpty();
        assertThat(layout.cpuFor(STAGES)).isEmpty();
    }

    @Test
    void planListsMainRolesFirstThenStagesByNumber() {
        String plan = CpuLayout.parse("stage-10=1,stage-2=0,io=1", TWO).plan();
        assertThat(plan).containsSubsequence("  io ", "  journal ", "  stages ", "  stage-2  CPU 0", "  stage-10 CPU 1");
        assertThat(CpuLayout.parse("stage-10=1,stage-2=0,io=1", TWO))
            .hasToString("CpuLayout[stage-10=1,stage-2=0,io=1: io=1, stage-2=0, stage-10=1]");
    }

    @Test
    void askingForAnUnknownRoleIsABug() {
        CpuLayout layout = CpuLayout.parse("io=1", TWO);
        assertThatThrownBy(() -> layout.cpuFor("network"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("cpu layout 'io=1': unknown role 'network' (roles: io, journal, stages, stage-N)");
    }

    @Test
    void stageRoleNamesAreNumbered() {
        assertThat(CpuLayout.stage(0)).isEqualTo("stage-0");
        assertThat(CpuLayout.stage(12)).isEqualTo("stage-12");
        assertThatThrownBy(() -> CpuLayout.stage(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parseWithoutAllowedSetChecksThisProcess() {
        AllowedCpus mine = AllowedCpus.ofThisProcess();
        int first = mine.cpu(0);
        CpuLayout layout = CpuLayout.parse("io=" + first);
        assertThat(layout.allowed()).isEqualTo(mine);
        assertThat(layout.cpuFor(IO)).isEqualTo(OptionalInt.of(first));
    }
}
