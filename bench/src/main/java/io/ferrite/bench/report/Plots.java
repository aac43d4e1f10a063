package io.ferrite.bench.report;

import io.ferrite.bench.suite.ScenarioResult;
import io.ferrite.bench.suite.TrialResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The run's SVG plots, one trial per line: latency by percentile (HdrHistogram style: the x axis
 * is {@code log10(1 / (1 - percentile))}, so 90%, 99%, 99.9%... are evenly spaced; latency on a
 * log axis) for every scenario that measured latency, from its whole HdrHistogram percentile curve,
 * and throughput over time for every scenario.
 *
 * <p>Thread-safety: stateless.
 */
public final class Plots {
    /** Where the percentile axis ends: 99.9999%. */
    private static final double MAX_NINES = 6;

    private Plots() {
    }

    /** Writes the plots into {@code directory}; returns the file names written, per scenario order. */
    public static List<String> write(Path directory, List<ScenarioResult> scenarios) throws IOException {
        Files.createDirectories(directory);
        List<String> written = new ArrayList<>();
        for (ScenarioResult scenario : scenarios) {
            if (!scenario.ran()) {
                continue;
            }
            if (scenario.trials().getFirst().latency() != null) {
                String file = "latency-" + scenario.name() + ".svg";
                Files.writeString(directory.resolve(file), latency(scenario));
                written.add(file);
            }
            String file = "throughput-" + scenario.name() + ".svg";
            Files.writeString(directory.resolve(file), throughput(scenario));
            written.add(file);
        }
        return written;
    }

    static String latency(ScenarioResult scenario) {
        SvgChart chart = new SvgChart("Latency by percentile: " + scenario.name(), "percentile",
            "latency (us, log scale)", Plots::nines, v -> Math.log10(Math.max(v, 0.01)));
        String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"};
        for (int k = 0; k < labels.length; k++) {
            chart.xTick(100 - 100 / Math.pow(10, k), labels[k]);
        }
        for (double decade = 0.01; decade <= 1e8; decade *= 10) {
            chart.yTick(decade, decade >= 1 ? String.format(Locale.ROOT, "%,.0f", decade) : String.valueOf(decade));
        }
        int k = 1;
        for (TrialResult trial : scenario.trials()) {
            List<double[]> curve = trial.latency().curve();
            // The 100% point (the max) would sit at the axis end as if six nines had been measured; the curve
            // reaches the max at the last percentile the trial's count resolves, so it ends there instead.
            if (curve.size() > 1 && curve.getLast()[0] >= 100) {
                curve = curve.subList(0, curve.size() - 1);
            }
            chart.series("trial " + k++, curve);
        }
        return chart.render();
    }

    static String throughput(ScenarioResult scenario) {
        SvgChart chart = new SvgChart("Throughput over time: " + scenario.name(), "seconds into the trial",
            "events per second", v -> v, v -> v).yFromZero();
        double top = 0;
        double longest = 0;
        int k = 1;
        for (TrialResult trial : scenario.trials()) {
            List<double[]> points = new ArrayList<>();
            double[] timeline = trial.timeline();
            for (int i = 0; i < timeline.length; i++) {
                points.add(new double[] {(i + 1) * trial.sampleSeconds(), timeline[i]});
                top = Math.max(top, timeline[i]);
            }
            longest = Math.max(longest, timeline.length * trial.sampleSeconds());
            chart.series("trial " + k++, points);
        }
        double step = niceStep(top / 5);
        for (double v = 0; v <= top * 1.06 + step; v += step) {
            chart.yTick(v, human(v));
        }
        double xStep = niceStep(Math.max(longest, 0.1) / 6);
        for (double t = 0; t <= longest + xStep; t += xStep) {
            chart.xTick(t, String.format(Locale.ROOT, "%.1f", t));
        }
        return chart.render();
    }

    /** The percentile axis transform: 0 at 0%, 1 at 90%, 2 at 99%..., capped at 99.9999%. */
    private static double nines(double percentile) {
        double tail = 1 - percentile / 100;
        return tail <= Math.pow(10, -MAX_NINES) ? MAX_NINES : -Math.log10(tail);
    }

    private static double niceStep(double rough) {
        if (rough <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        double fraction = rough / magnitude;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
    }

    static String human(double value) {
        if (value >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", value / 1e6);
        }
        if (value >= 1e3) {
            return String.format(Locale.ROOT, "%.0fk", value / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", value);
    }
}
