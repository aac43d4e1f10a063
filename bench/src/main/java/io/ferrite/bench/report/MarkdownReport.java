package io.ferrite.bench.report;

import io.ferrite.bench.suite.LatencySummary;
import io.ferrite.bench.suite.Metric;
import io.ferrite.bench.suite.ProfileRecord;
import io.ferrite.bench.suite.ScenarioResult;
import io.ferrite.bench.suite.SuiteKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * report.md: the machine, the plan, one table per scenario family (throughput median [min–max],
 * latency percentiles, allocation per event, ratios to the scenario's peers), the skipped
 * scenarios with their reasons, the flamegraphs when the run was profiled, and the plots.
 *
 * <p>Ratios are medians over medians from the same run. For throughput scenarios a ratio above 1
 * means faster than the peer; for latency scenarios (metric p99) the ratio is p99 over the peer's
 * p99, so below 1 means lower latency.
 *
 * <p>Thread-safety: stateless.
 */
public final class MarkdownReport {
    private MarkdownReport() {
    }

    public static String write(RunRecord run, List<String> plots) {
        StringBuilder md = new StringBuilder();
        md.append("# ferrite bench: ").append(run.suite().cliName()).append(" suite\n\n");
        md.append("- command: `").append(run.command()).append("`\n");
        md.append(String.format(Locale.ROOT, "- started %s, took %.0f s%n", run.started(), run.seconds()));
        md.append(String.format(Locale.ROOT, "- plan: warm-up %d ms, then %d trial(s) of %d ms per scenario; "
                + "figures are median [min–max] over trials%n", run.suite().plan().warmup().toMillis(),
            run.suite().plan().trials(), run.suite().plan().trial().toMillis()));
        md.append("- machine: ").append(run.machine().line()).append('\n');
        md.append("- latencies in microseconds; TCP fixed-rate latency is ACK time minus *intended* send time "
            + "(coordinated-omission corrected); at max throughput it is ACK time minus the time the event entered "
            + "the client (queueing included)\n");
        md.append("- alloc/event: heap bytes allocated by the whole JVM (server, client, peer and harness) "
            + "during the trial, over its events\n");
        if (run.scenarios().stream().noneMatch(s -> s.name().startsWith("peer.kafka"))) {
            md.append(run.suite() == SuiteKind.SMOKE
                ? "- Apache Kafka is not in the smoke suite: its in-process broker takes seconds to start and ramp; "
                    + "quick and full run it\n"
                : "- Apache Kafka is not in this run (--scenario left it out)\n");
        }
        if (run.profile() != null) {
            md.append("- **profiled** with async-profiler (`").append(run.profile().eventName())
                .append("`) during every measured trial, not the warm-up or setup: the profiler takes CPU time and "
                    + "memory of its own, so **these numbers are not comparable to unprofiled ones** (nor to a "
                    + "baseline taken without `--profile`); flamegraphs under [profiles](#profiles)\n");
        }
        md.append('\n');
        md.append(Headlines.write(run));
        Map<String, List<ScenarioResult>> groups = new LinkedHashMap<>();
        for (ScenarioResult scenario : run.scenarios()) {
            groups.computeIfAbsent(scenario.group(), g -> new ArrayList<>()).add(scenario);
        }
        for (Map.Entry<String, List<ScenarioResult>> group : groups.entrySet()) {
            md.append("## ").append(group.getKey()).append("\n\n");
            md.append("| scenario | throughput/s median [min–max] | p50 | p99 | p99.9 | p99.99 | max | alloc B/event "
                + "| ratio to peers |\n|---|---|---|---|---|---|---|---|---|\n");
            for (ScenarioResult scenario : group.getValue()) {
                if (scenario.ran()) {
                    md.append(row(scenario, run)).append('\n');
                }
            }
            md.append('\n');
        }
        List<ScenarioResult> skipped = run.scenarios().stream().filter(s -> !s.ran()).toList();
        if (!skipped.isEmpty()) {
            md.append("## skipped\n\n");
            for (ScenarioResult scenario : skipped) {
                md.append("- ").append(scenario.name()).append(": ").append(scenario.skipped()).append('\n');
            }
            md.append('\n');
        }
        if (run.profile() != null) {
            md.append(profiles(run));
        }
        md.append("## scenarios\n\n");
        for (ScenarioResult scenario : run.scenarios()) {
            md.append("- `").append(scenario.name()).append("`: ").append(scenario.description()).append('\n');
        }
        md.append("\n## plots\n\n");
        for (String plot : plots) {
            md.append("- [").append(plot).append("](plots/").append(plot).append(")\n");
        }
        return md.toString();
    }

    private static String profiles(RunRecord run) {
        StringBuilder md = new StringBuilder("## profiles\n\n");
        md.append("Asked for `").append(run.profile().eventName()).append("`; profiled numbers are not comparable to "
            + "unprofiled ones.\n\n| scenario | sampled event | samples | flamegraph | collapsed stacks | note |\n"
            + "|---|---|---|---|---|---|\n");
        for (ScenarioResult scenario : run.scenarios()) {
            ProfileRecord profile = scenario.profile();
            if (profile == null) {
                continue;
            }
            md.append("| `").append(scenario.name()).append("` | ");
            if (profile.written()) {
                md.append('`').append(profile.sampled()).append("` | ").append(profile.samples()).append(" | [")
                    .append(profile.flamegraph()).append("](").append(profile.flamegraph()).append(") | [")
                    .append(profile.collapsed()).append("](").append(profile.collapsed()).append(") | ");
            } else {
                md.append("– | – | – | – | ");
            }
            md.append(profile.note() == null ? "" : profile.note().replace("|", "\\|")).append(" |\n");
        }
        return md.append('\n').toString();
    }

    private static String row(ScenarioResult scenario, RunRecord run) {
        ScenarioResult.Range throughput = scenario.throughput();
        String tput = String.format(Locale.ROOT, "%s [%s–%s]", Plots.human(throughput.median()),
            Plots.human(throughput.min()), Plots.human(throughput.max()));
        ScenarioResult.Range alloc = scenario.allocationPerEvent();
        return String.join(" | ", "| `" + scenario.name() + "`", tput,
            micros(scenario.latency(LatencySummary::p50)), micros(scenario.latency(LatencySummary::p99)),
            micros(scenario.latency(LatencySummary::p999)), micros(scenario.latency(LatencySummary::p9999)),
            micros(scenario.latency(LatencySummary::max)),
            alloc.isKnown() ? String.format(Locale.ROOT, "%.1f", alloc.median()) : "–",
            ratios(scenario, run) + " |");
    }

    private static String ratios(ScenarioResult scenario, RunRecord run) {
        List<String> parts = new ArrayList<>();
        for (String peerName : scenario.peers()) {
            Optional<ScenarioResult> peer = run.find(peerName).filter(ScenarioResult::ran);
            if (peer.isEmpty()) {
                continue;
            }
            double mine = scenario.primary().median();
            double theirs = scenario.metric() == Metric.THROUGHPUT ? peer.get().throughput().median()
                : peer.get().latency(LatencySummary::p99).median();
            if (theirs > 0 && Double.isFinite(mine)) {
                parts.add(String.format(Locale.ROOT, "%.2f× %s%s", mine / theirs, peerName,
                    scenario.metric() == Metric.THROUGHPUT ? "" : " (p99)"));
            }
        }
        return parts.isEmpty() ? "–" : String.join("; ", parts);
    }

    private static String micros(ScenarioResult.Range range) {
        if (!range.isKnown()) {
            return "–";
        }
        return range.median() >= 100 ? String.format(Locale.ROOT, "%,.0f", range.median())
            : String.format(Locale.ROOT, "%.1f", range.median());
    }
}
