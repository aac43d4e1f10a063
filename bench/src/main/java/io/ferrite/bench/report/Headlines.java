package io.ferrite.bench.report;

import io.ferrite.bench.suite.LatencySummary;
import io.ferrite.bench.suite.ScenarioResult;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The report's first section: the transport comparison (maximum TCP ingest per transport, for
 * each durability and connection count, fastest marked) and the standalone-server targets — async
 * end to end against raw Chronicle appends (target ≥ 0.8×) and p99 at 100k events/s against the
 * loopback round-trip p99 (target ≤ 1×), both from this run.
 *
 * <p>Thread-safety: stateless.
 */
final class Headlines {
    private static final List<String> TRANSPORTS = List.of("epoll", "io_uring", "nio");

    private Headlines() {
    }

    static String write(RunRecord run) {
        StringBuilder md = new StringBuilder();
        StringBuilder table = new StringBuilder();
        for (String durability : List.of("async", "sync")) {
            for (int connections : new int[] {1, 4}) {
                table.append(transportRow(run, durability, connections));
            }
        }
        if (!table.isEmpty()) {
            md.append("## transports: maximum TCP ingest, 64-byte events (median [min–max], fastest in bold)\n\n");
            md.append("| durability | connections | epoll | io_uring | nio |\n|---|---|---|---|---|\n");
            md.append(table).append('\n');
        }
        StringBuilder targets = new StringBuilder();
        Optional<ScenarioResult> chronicle = ran(run, "peer.chronicle.append");
        Optional<ScenarioResult> rtt = ran(run, "peer.rtt");
        for (String transport : TRANSPORTS) {
            for (int connections : new int[] {1, 4}) {
                Optional<ScenarioResult> e2e = ran(run, "tcp.max." + transport + ".async.c" + connections);
                if (e2e.isPresent() && chronicle.isPresent()) {
                    double ratio = e2e.get().throughput().median() / chronicle.get().throughput().median();
                    targets.append(String.format(Locale.ROOT, "| `%s` / `peer.chronicle.append` (throughput) | %.2f× "
                        + "| ≥ 0.80× | %s |%n", e2e.get().name(), ratio, ratio >= 0.8 ? "met" : "missed"));
                }
            }
            Optional<ScenarioResult> rate = ran(run, "tcp.rate100k." + transport + ".async.c1");
            if (rate.isPresent() && rtt.isPresent()) {
                double mine = rate.get().latency(LatencySummary::p99).median();
                double floor = rtt.get().latency(LatencySummary::p99).median();
                targets.append(String.format(Locale.ROOT, "| `%s` p99 %.0f us / `peer.rtt` p99 %.1f us | %.1f× | ≤ 1× | %s |%n",
                    rate.get().name(), mine, floor, mine / floor, mine <= floor ? "met" : "missed"));
            }
        }
        if (!targets.isEmpty()) {
            md.append("## targets (standalone-server issue)\n\n| ratio | value | target | |\n|---|---|---|---|\n");
            md.append(targets).append('\n');
        }
        return md.toString();
    }

    private static String transportRow(RunRecord run, String durability, int connections) {
        double best = 0;
        for (String transport : TRANSPORTS) {
            Optional<ScenarioResult> r = ran(run, name(transport, durability, connections));
            if (r.isPresent()) {
                best = Math.max(best, r.get().throughput().median());
            }
        }
        if (best == 0) {
            return "";
        }
        StringBuilder row = new StringBuilder("| " + durability + " | " + connections + " |");
        for (String transport : TRANSPORTS) {
            Optional<ScenarioResult> r = ran(run, name(transport, durability, connections));
            if (r.isEmpty()) {
                row.append(" – |");
                continue;
            }
            ScenarioResult.Range t = r.get().throughput();
            String cell = String.format(Locale.ROOT, "%s [%s–%s]", Plots.human(t.median()), Plots.human(t.min()),
                Plots.human(t.max()));
            row.append(' ').append(t.median() == best ? "**" + cell + "**" : cell).append(" |");
        }
        return row.append('\n').toString();
    }

    private static String name(String transport, String durability, int connections) {
        return "tcp.max." + transport + "." + durability + ".c" + connections;
    }

    private static Optional<ScenarioResult> ran(RunRecord run, String name) {
        return run.find(name).filter(ScenarioResult::ran);
    }
}
