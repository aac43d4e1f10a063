package io.ferrite.affinity;

import io.ferrite.libc.LibC;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The kernel's CPU list format, and the set this process really has. */
class AllowedCpusTest {

    @Test
    void parsesARange() {
        AllowedCpus cpus = AllowedCpus.parse("0-1");
        assertThat(cpus.stream()).containsExactly(0, 1);
        assertThat(cpus.count()).isEqualTo(2);
        assertThat(cpus.contains(0)).isTrue();
        assertThat(cpus.contains(1)).isTrue();
        assertThat(cpus.contains(2)).isFalse();
        assertThat(cpus).hasToString("0-1");
    }

    @Test
    void parsesSinglesAndRangesMixed() {
        AllowedCpus cpus = AllowedCpus.parse("0,2-3");
        assertThat(cpus.stream()).containsExactly(0, 2, 3);
        assertThat(cpus.contains(1)).isFalse();
        assertThat(cpus.cpu(0)).isZero();
        assertThat(cpus.cpu(1)).isEqualTo(2);
        assertThat(cpus.cpu(2)).isEqualTo(3);
        assertThat(cpus).hasToString("0,2-3");
    }

    @Test
    void parsesASingleCpu() {
        AllowedCpus cpus = AllowedCpus.parse("5");
        assertThat(cpus.stream()).containsExactly(5);
        assertThat(cpus.count()).isEqualTo(1);
        assertThat(cpus).hasToString("5");
    }

    @Test
    void sortsMergesAndIgnoresSpacesThenPrintsTheCanonicalList() {
        AllowedCpus cpus = AllowedCpus.parse(" 7, 0-1 ,1,5-6 ");
        assertThat(cpus.stream()).containsExactly(0, 1, 5, 6, 7);
        assertThat(cpus).hasToString("0-1,5-7");
        assertThat(cpus).isEqualTo(AllowedCpus.parse("0,1,5,6,7")).hasSameHashCodeAs(AllowedCpus.parse("0-1,5-7"));
        assertThat(cpus).isNotEqualTo(AllowedCpus.parse("0-1,5-6"));
    }

    @Test
    void cpuIndexOutsideTheSetIsRejected() {
        assertThatThrownBy(() -> AllowedCpus.parse("0-1").cpu(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "\"\"    | cpu list '': empty; give CPU ids and ranges like '0-3' or '0,2-3'",
        "\"  \"  | cpu list '  ': empty; give CPU ids and ranges like '0-3' or '0,2-3'",
        "0-x     | cpu list '0-x': 'x' is not a CPU number",
        "a       | cpu list 'a': 'a' is not a CPU number",
        "-1      | cpu list '-1': '' is not a CPU number",
        "3-1     | cpu list '3-1': range '3-1' runs backwards; write it as 1-3",
        "0,,1    | cpu list '0,,1': empty item; separate CPU ids and ranges with single commas",
        "0-1,    | cpu list '0-1,': empty item; separate CPU ids and ranges with single commas",
        "9000    | cpu list '9000': CPU 9000 is above the highest CPU id Linux supports (8191)",
        "1-99999999999 | cpu list '1-99999999999': '99999999999' is not a CPU number",
    })
    void malformedListsSayWhatIsWrong(String list, String message) {
        assertThatThrownBy(() -> AllowedCpus.parse(list))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
    }

    @Test
    void readsTheAllowedListLineOfAStatusFile() {
        String status = "Name:\tjava\nCpus_allowed:\td\nCpus_allowed_list:\t0,2-3\nMems_allowed:\t1\n";
        assertThat(AllowedCpus.fromStatus(status)).isEqualTo(AllowedCpus.parse("0,2-3"));
    }

    @Test
    void aStatusFileWithoutTheLineIsAnError() {
        assertThatThrownBy(() -> AllowedCpus.fromStatus("Name:\tjava\n"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("no 'Cpus_allowed_list:' line in /proc/self/status");
    }

    /**
     * The JVM counts the CPUs in its affinity mask too; it can only count fewer where a cgroup
     * CPU quota or -XX:ActiveProcessorCount caps it, which Ferrite's test runs do not set.
     */
    @Test
    void thisProcessHasAsManyCpusAsTheJvmCounts() {
        AllowedCpus cpus = AllowedCpus.ofThisProcess();
        assertThat(cpus.count()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void theCpuThisThreadRunsOnIsAllowed() {
        AllowedCpus cpus = AllowedCpus.ofThisProcess();
        assertThat(cpus.contains(LibC.schedGetCpu())).as("running on a CPU in %s", cpus).isTrue();
    }
}
