package io.ferrite.bench.suite;

import io.ferrite.bench.cli.BenchCommand;
import io.ferrite.bench.report.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@code ferrite bench --suite smoke --profile cpu} on one cheap scenario (the embedded
 * Disruptor pipe) with the real async-profiler, and checks the flamegraph, the collapsed stacks
 * and what results.json and report.md say about them.
 */
class ProfiledSuiteTest {
    private static final String SCENARIO = "embedded.disruptor";

    @TempDir
    static Path directory;
    static Path out;
    static int status;

    @BeforeAll
    static void runOneProfiledScenario() {
        out = directory.resolve("profiled");
        status = BenchCommand.execute("--suite", "smoke", "--out", out.toString(), "--scenario", "^embedded\\.disruptor$",
            "--profile", "cpu");
    }

    @Test
    void theFlamegraphIsHtmlAndItsCollapsedStacksAreNotEmpty() throws Exception {
        assertThat(status).isZero();
        Path flamegraph = out.resolve("flames").resolve(SCENARIO + "-cpu.html");
        Path collapsed = out.resolve("flames").resolve(SCENARIO + "-cpu.collapsed.txt");
        assertThat(flamegraph).isRegularFile();
        assertThat(Files.readString(flamegraph)).containsIgnoringCase("<html");
        List<String> stacks = Files.readAllLines(collapsed).stream().filter(line -> !line.isBlank()).toList();
        assertThat(stacks).isNotEmpty().allMatch(line -> line.matches(".+ \\d+"), "frames, a space, then a count");
        try (Stream<Path> files = Files.list(out.resolve("flames"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                .as("only the renamed files, no scratch folder").containsExactlyInAnyOrder(SCENARIO + "-cpu.html",
                    SCENARIO + "-cpu.collapsed.txt");
        }
    }

    @Test
    void resultsJsonAndTheReportNameTheFlamegraphAndTheSampledEvent() throws Exception {
        Map<?, ?> root = (Map<?, ?>) Json.parse(Files.readString(out.resolve("results.json")));
        assertThat(root.get("profile")).isEqualTo("cpu");
        Map<?, ?> scenario = (Map<?, ?>) ((List<?>) root.get("scenarios")).getFirst();
        Map<?, ?> profile = (Map<?, ?>) scenario.get("profile");
        assertThat(profile.get("requested")).isEqualTo("cpu");
        assertThat(profile.get("event")).as("perf events, or itimer where they are refused").isIn("cpu", "itimer");
        if ("itimer".equals(profile.get("event"))) {
            assertThat((String) profile.get("note")).contains("itimer");
        }
        assertThat(profile.get("flamegraph")).isEqualTo("flames/" + SCENARIO + "-cpu.html");
        assertThat(((Number) profile.get("samples")).longValue()).isPositive();

        String report = Files.readString(out.resolve("report.md"));
        assertThat(report).contains("not comparable to unprofiled ones", "## profiles",
            "[flames/" + SCENARIO + "-cpu.html](flames/" + SCENARIO + "-cpu.html)");
    }

    @Test
    void aBadProfileEventIsAUsageError() {
        assertThat(BenchCommand.execute("--suite", "smoke", "--out", directory.resolve("bad").toString(),
            "--profile", "cycles")).isEqualTo(2);
        assertThat(BenchCommand.execute("--suite", "smoke", "--out", directory.resolve("bad").toString(),
            "--profile-out", directory.resolve("flames").toString())).isEqualTo(2);
        assertThat(directory.resolve("bad")).doesNotExist();
    }
}
