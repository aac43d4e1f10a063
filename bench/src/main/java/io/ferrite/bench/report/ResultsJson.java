package io.ferrite.bench.report;

import io.ferrite.bench.suite.LatencySummary;
import io.ferrite.bench.suite.MachineInfo;
import io.ferrite.bench.suite.ProfileRecord;
import io.ferrite.bench.suite.ScenarioResult;
import io.ferrite.bench.suite.TrialResult;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * results.json: the run as a JSON tree, format {@value #FORMAT}. Per scenario: its metric and
 * peers, the median/min/max of throughput, of each latency percentile (microseconds) and of
 * allocation per event, the {@code primary} range the baseline check compares, every trial (with
 * its throughput-over-time series and, where latency was measured, its whole percentile curve:
 * {@code percentiles} and {@code percentile_us}, pairwise), and with {@code --profile} the profile of
 * its trials (root {@code profile}: the event asked for, null when the run was not profiled).
 *
 * <p>Thread-safety: stateless.
 */
public final class ResultsJson {
    public static final String FORMAT = "ferrite-bench/1";
    /** Percentile levels need more than six digits: 99.99990 and 99.99995 are different points. */
    private static final MathContext PERCENTILE_DIGITS = new MathContext(10);

    private ResultsJson() {
    }

    public static String write(RunRecord run) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("suite", run.suite().cliName());
        root.put("command", run.command());
        root.put("started", run.started().toString());
        root.put("seconds", run.seconds());
        root.put("machine", machine(run.machine()));
        root.put("profile", run.profile() == null ? null : run.profile().eventName());
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("warmup_ms", run.suite().plan().warmup().toMillis());
        plan.put("trial_ms", run.suite().plan().trial().toMillis());
        plan.put("trials", run.suite().plan().trials());
        root.put("plan", plan);
        List<Object> scenarios = new ArrayList<>();
        for (ScenarioResult result : run.scenarios()) {
            scenarios.add(scenario(result));
        }
        root.put("scenarios", scenarios);
        return Json.write(root);
    }

    private static Map<String, Object> machine(MachineInfo machine) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("cpu_model", machine.cpuModel());
        map.put("cores", machine.cores());
        map.put("memory_bytes", machine.memoryBytes());
        map.put("kernel", machine.kernel());
        map.put("jdk", machine.jdk());
        map.put("transports", machine.transports());
        map.put("transport_auto", machine.autoTransport());
        return map;
    }

    private static Map<String, Object> scenario(ScenarioResult result) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", result.name());
        map.put("group", result.group());
        map.put("description", result.description());
        map.put("metric", result.metric().name().toLowerCase(Locale.ROOT));
        map.put("peers", result.peers());
        map.put("skipped", result.skipped());
        map.put("primary", range(result.primary()));
        map.put("throughput", range(result.throughput()));
        map.put("p50_us", range(result.latency(LatencySummary::p50)));
        map.put("p99_us", range(result.latency(LatencySummary::p99)));
        map.put("p999_us", range(result.latency(LatencySummary::p999)));
        map.put("p9999_us", range(result.latency(LatencySummary::p9999)));
        map.put("max_us", range(result.latency(LatencySummary::max)));
        map.put("alloc_bytes_per_event", range(result.allocationPerEvent()));
        if (result.profile() != null) {
            map.put("profile", profile(result.profile()));
        }
        List<Object> trials = new ArrayList<>();
        for (TrialResult trial : result.trials()) {
            trials.add(trial(trial));
        }
        map.put("trials", trials);
        return map;
    }

    private static Map<String, Object> trial(TrialResult trial) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("events", trial.events());
        map.put("seconds", trial.seconds());
        map.put("throughput", trial.throughput());
        map.put("alloc_bytes", trial.allocatedBytes() < 0 ? null : trial.allocatedBytes());
        LatencySummary latency = trial.latency();
        if (latency != null) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("p50_us", latency.p50());
            figures.put("p99_us", latency.p99());
            figures.put("p999_us", latency.p999());
            figures.put("p9999_us", latency.p9999());
            figures.put("max_us", latency.max());
            List<Object> percentiles = new ArrayList<>(latency.curve().size());
            List<Object> micros = new ArrayList<>(latency.curve().size());
            for (double[] point : latency.curve()) {
                percentiles.add(new BigDecimal(point[0]).round(PERCENTILE_DIGITS));
                micros.add(point[1]);
            }
            figures.put("percentiles", percentiles);
            figures.put("percentile_us", micros);
            map.put("latency", figures);
        }
        map.put("sample_seconds", trial.sampleSeconds());
        List<Object> timeline = new ArrayList<>(trial.timeline().length);
        for (double rate : trial.timeline()) {
            timeline.add((double) Math.round(rate));
        }
        map.put("timeline", timeline);
        return map;
    }

    private static Map<String, Object> profile(ProfileRecord profile) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("requested", profile.requested().eventName());
        map.put("event", profile.sampled());
        map.put("samples", profile.samples());
        map.put("flamegraph", profile.flamegraph());
        map.put("collapsed", profile.collapsed());
        map.put("note", profile.note());
        return map;
    }

    private static Map<String, Object> range(ScenarioResult.Range range) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("median", range.median());
        map.put("min", range.min());
        map.put("max", range.max());
        return map;
    }

    /** Reads a number out of a parsed tree: {@code path} of keys; NaN where absent or null. */
    static double number(Object tree, String... path) {
        Object at = tree;
        for (String key : path) {
            if (!(at instanceof Map<?, ?> map)) {
                return Double.NaN;
            }
            at = map.get(key);
        }
        return at instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
