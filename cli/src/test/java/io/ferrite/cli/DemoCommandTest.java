package io.ferrite.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ferrite demo}, short: both phases run against the in-process server and the report reads as documented. */
class DemoCommandTest {
    private static final Pattern PHASE_ROW = Pattern.compile(
        "(?m)^(1\\. maximum throughput|2\\. fixed rate)\\s+([\\d,]+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+count "
            + "(\\d+\\.\\d) / (\\d+\\.\\d)$");

    @Test
    void theExamplePipelineRunsInTheDemo() {
        CliRun demo = CliRun.of("demo", "--seconds", "2", "--rate", "5000", "--pipeline",
            Path.of("..", "examples", "pipeline.yaml").toString());
        assertThat(demo.status()).as("%s", demo).isZero();
        assertThat(demo.out()).contains("pipeline ../examples/pipeline.yaml: 4 stages").contains("audit").contains("urgent");
    }

    @Test
    void bothPhasesRunAndTheReportGivesEachOnesFigures() {
        CliRun demo = CliRun.of("demo", "--seconds", "2", "--rate", "5000");
        assertThat(demo.status()).as("%s", demo).isZero();
        String out = demo.out();
        assertThat(out).contains("1. maximum throughput (1 s)", "2. fixed rate (1 s): 5,000 events/s", "What the numbers mean:")
            .containsPattern("live dashboard: http://127\\.0\\.0\\.1:\\d+/dashboard");
        Matcher rows = PHASE_ROW.matcher(out);
        int found = 0;
        while (rows.find()) {
            found++;
            long eventsPerSecond = Long.parseLong(rows.group(2).replace(",", ""));
            assertThat(eventsPerSecond).as("events/s of %s", rows.group(1)).isPositive();
            assertThat(Long.parseLong(rows.group(3))).as("p50 <= p99").isLessThanOrEqualTo(Long.parseLong(rows.group(4)));
            if (rows.group(1).startsWith("2.")) {
                assertThat(eventsPerSecond).as("the fixed rate is kept").isBetween(4_000L, 6_000L);
            }
        }
        assertThat(found).as("two phase rows in:\n%s", out).isEqualTo(2);
        Matcher journaled = Pattern.compile("journaled=(\\d+) duplicates=0").matcher(out);
        assertThat(journaled.find()).as(out).isTrue();
        assertThat(Long.parseLong(journaled.group(1))).isGreaterThan(5_000);
    }
}
