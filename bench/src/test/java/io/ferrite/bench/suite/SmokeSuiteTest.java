package io.ferrite.bench.suite;

import io.ferrite.bench.cli.BenchCommand;
import io.ferrite.bench.report.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

/**
 * Runs {@code ferrite bench --suite smoke} once into a temporary directory (real server, real
 * client, real peers on 127.0.0.1) and checks what it wrote, then the baseline check against
 * itself and against a doctored baseline.
 */
class SmokeSuiteTest {
    @TempDir
    static Path directory;
    static Path out;
    static int status;

    @BeforeAll
    static void runSmokeSuite() {
        out = directory.resolve("smoke");
        status = BenchCommand.execute("--suite", "smoke", "--out", out.toString());
    }

    @Test
    void everySmokeScenarioRanAndTheReportSaysSo() throws Exception {
        assertThat(status).isZero();
        String report = Files.readString(out.resolve("report.md"));
        assertThat(report).startsWith("# ferrite bench: smoke suite")
            .contains("| scenario | throughput/s median [min–max] | p50 | p99 | p99.9 | p99.99 | max | alloc B/event")
            .contains("`tcp.max.", "`tcp.rate10k.", "`peer.netty.", "`peer.chronicle.append`", "`peer.rtt`",
                "`embedded.ferrite-memory`", "`embedded.disruptor`", "machine: ")
            .doesNotContain("## skipped");
    }

    @Test
    void resultsJsonDescribesTheMachineAndEveryTrial() throws Exception {
        Map<?, ?> root = (Map<?, ?>) Json.parse(Files.readString(out.resolve("results.json")));
        assertThat(root.get("format")).isEqualTo("ferrite-bench/1");
        Map<?, ?> machine = (Map<?, ?>) root.get("machine");
        assertThat(machine.keySet().stream().map(String::valueOf).toList()).contains("cpu_model", "cores", "memory_bytes", "kernel", "jdk", "transports",
            "transport_auto");
        List<?> scenarios = (List<?>) root.get("scenarios");
        assertThat(scenarios).hasSize(7);
        for (Object item : scenarios) {
            Map<?, ?> scenario = (Map<?, ?>) item;
            assertThat(scenario.get("skipped")).as("%s skipped", scenario.get("name")).isNull();
            assertThat(((Number) ((Map<?, ?>) scenario.get("primary")).get("median")).doubleValue())
                .as("%s primary median", scenario.get("name")).isPositive();
            assertThat((List<?>) scenario.get("trials")).hasSize(1);
        }
    }

    @Test
    void plotsAreWellFormedSvg() throws Exception {
        List<Path> plots;
        try (Stream<Path> files = Files.list(out.resolve("plots"))) {
            plots = files.toList();
        }
        assertThat(plots).anyMatch(p -> p.getFileName().toString().startsWith("latency-tcp.rate10k."))
            .anyMatch(p -> p.getFileName().toString().startsWith("throughput-tcp.max."));
        for (Path plot : plots) {
            var document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(plot.toFile());
            assertThat(document.getDocumentElement().getTagName()).as(plot.toString()).isEqualTo("svg");
            assertThat(document.getElementsByTagName("polyline").getLength()).as(plot.toString()).isPositive();
        }
    }

    @Test
    void fixedRateLatencyCurvesCarryTheWholeDistribution() throws Exception {
        Map<?, ?> root = (Map<?, ?>) Json.parse(Files.readString(out.resolve("results.json")));
        assertThat(root.get("profile")).as("not profiled").isNull();
        Map<?, ?> rate = ((List<?>) root.get("scenarios")).stream().map(s -> (Map<?, ?>) s)
            .filter(s -> String.valueOf(s.get("name")).startsWith("tcp.rate10k.")).findFirst().orElseThrow();
        assertThat(rate.get("profile")).isNull();
        Map<?, ?> latency = (Map<?, ?>) ((Map<?, ?>) ((List<?>) rate.get("trials")).getFirst()).get("latency");
        List<?> percentiles = (List<?>) latency.get("percentiles");
        List<?> micros = (List<?>) latency.get("percentile_us");
        assertThat(percentiles).hasSameSizeAs(micros).hasSizeGreaterThan(20);
        assertThat(((Number) percentiles.getLast()).doubleValue()).isEqualTo(100.0);
        assertThat(((Number) micros.getLast()).doubleValue())
            .isCloseTo(((Number) latency.get("max_us")).doubleValue(), withinPercentage(1));

        Path plot;
        try (Stream<Path> files = Files.list(out.resolve("plots"))) {
            plot = files.filter(p -> p.getFileName().toString().startsWith("latency-tcp.rate10k.")).findFirst().orElseThrow();
        }
        var polyline = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(plot.toFile())
            .getElementsByTagName("polyline").item(0);
        String points = polyline.getAttributes().getNamedItem("points").getNodeValue();
        assertThat(points.split(" ")).as("points on the percentile curve").hasSizeGreaterThan(20);
    }

    @Test
    void baselineCheckPassesAgainstItselfAndFailsOnADoctoredRegression() throws Exception {
        Path results = out.resolve("results.json");
        assertThat(BenchCommand.execute("compare", "--baseline", results.toString(), results.toString())).isZero();

        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(results));
        for (Object item : (List<?>) root.get("scenarios")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> primary = (Map<String, Object>) ((Map<?, ?>) item).get("primary");
            boolean throughput = "throughput".equals(((Map<?, ?>) item).get("metric"));
            for (String key : List.of("median", "min", "max")) {
                if (!(primary.get(key) instanceof Number number)) {
                    continue;
                }
                double value = number.doubleValue();
                primary.put(key, throughput ? value * 2 : value / 2); // the baseline was twice as good
            }
        }
        Path doctored = directory.resolve("doctored.json");
        Files.writeString(doctored, Json.write(root));
        assertThat(BenchCommand.execute("compare", "--baseline", doctored.toString(), results.toString())).isEqualTo(1);
        assertThat(BenchCommand.execute("compare", "--threshold", "150", "--baseline", doctored.toString(),
            results.toString())).as("a 50% drop is within a 150% threshold").isZero();
    }
}
