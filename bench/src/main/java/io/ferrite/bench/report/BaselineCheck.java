package io.ferrite.bench.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares two results.json files scenario by scenario on each scenario's primary metric
 * (throughput, or p99 for latency scenarios) and counts regressions.
 *
 * <p>The noise rule: a scenario has <b>regressed</b> only when both hold —
 * <ol>
 *   <li>its median moved the wrong way by more than the threshold (default 10%), and</li>
 *   <li>its range of trials no longer overlaps the baseline's: for throughput the new max is below
 *       the baseline min; for latency the new min is above the baseline max.</li>
 * </ol>
 * A move past the threshold whose ranges still overlap is reported as {@code noise?}, never as a
 * regression. With one trial per side (smoke) the ranges are points, so rule 2 is rule 1 again.
 * Scenarios missing or skipped on either side are listed and not counted.
 *
 * <p>Thread-safety: stateless.
 */
public final class BaselineCheck {
    private BaselineCheck() {
    }

    /**
     * Prints one line per scenario and a verdict.
     *
     * @param thresholdPercent how far the median may move the wrong way before it can count
     * @return the number of regressions
     */
    public static int compare(Path current, Path baseline, double thresholdPercent, PrintStream out) throws IOException {
        Object nowTree = Json.parse(Files.readString(current));
        Object beforeTree = Json.parse(Files.readString(baseline));
        Map<String, Map<?, ?>> now = scenarios(nowTree, current);
        Map<String, Map<?, ?>> before = scenarios(beforeTree, baseline);
        out.printf(Locale.ROOT, "baseline %s -> %s, threshold %.1f%% (regression = median worse by more than the "
            + "threshold AND trial ranges not overlapping)%n", baseline, current, thresholdPercent);
        warnIfProfiled(nowTree, current, out);
        warnIfProfiled(beforeTree, baseline, out);
        int regressions = 0;
        for (Map.Entry<String, Map<?, ?>> entry : now.entrySet()) {
            String name = entry.getKey();
            Map<?, ?> scenario = entry.getValue();
            Map<?, ?> old = before.get(name);
            if (old == null) {
                out.printf(Locale.ROOT, "  %-40s new (not in baseline)%n", name);
                continue;
            }
            double median = ResultsJson.number(scenario, "primary", "median");
            double baseMedian = ResultsJson.number(old, "primary", "median");
            if (Double.isNaN(median) || Double.isNaN(baseMedian) || baseMedian == 0) {
                out.printf(Locale.ROOT, "  %-40s not comparable (skipped on one side)%n", name);
                continue;
            }
            boolean higherIsBetter = !"p99_micros".equals(String.valueOf(scenario.get("metric")));
            double delta = (median - baseMedian) / baseMedian * 100;
            double worse = higherIsBetter ? -delta : delta;
            boolean separated = higherIsBetter
                ? ResultsJson.number(scenario, "primary", "max") < ResultsJson.number(old, "primary", "min")
                : ResultsJson.number(scenario, "primary", "min") > ResultsJson.number(old, "primary", "max");
            String verdict;
            if (worse > thresholdPercent && separated) {
                verdict = "REGRESSED";
                regressions++;
            } else if (worse > thresholdPercent) {
                verdict = "noise? (ranges overlap)";
            } else if (-worse > thresholdPercent) {
                verdict = "improved";
            } else {
                verdict = "ok";
            }
            out.printf(Locale.ROOT, "  %-40s %14.1f -> %14.1f %s %+7.1f%%  %s%n", name, baseMedian, median,
                higherIsBetter ? "ev/s" : "p99us", delta, verdict);
        }
        for (String name : before.keySet()) {
            if (!now.containsKey(name)) {
                out.printf(Locale.ROOT, "  %-40s missing from this run%n", name);
            }
        }
        out.printf(Locale.ROOT, "%d regression(s)%n", regressions);
        return regressions;
    }

    /** A profiled run's numbers carry the profiler's cost: say so, without refusing the comparison. */
    private static void warnIfProfiled(Object tree, Path file, PrintStream out) {
        if (tree instanceof Map<?, ?> root && root.get("profile") instanceof String event) {
            out.printf(Locale.ROOT, "  note: %s was profiled (%s): its numbers are not comparable to unprofiled ones%n",
                file, event);
        }
    }

    private static Map<String, Map<?, ?>> scenarios(Object tree, Path file) {
        if (!(tree instanceof Map<?, ?> root) || !(root.get("scenarios") instanceof List<?> list)) {
            throw new IllegalArgumentException(file + " is not a ferrite bench results.json (no \"scenarios\" list)");
        }
        Map<String, Map<?, ?>> byName = new LinkedHashMap<>();
        for (Object item : list) {
            if (item instanceof Map<?, ?> scenario && scenario.get("name") instanceof String name) {
                byName.put(name, scenario);
            }
        }
        return byName;
    }
}
