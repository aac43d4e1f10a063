package io.ferrite.bench.suite;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs scenarios one after the other on the calling thread: open, warm up, the trials (each
 * wrapped in the JVM's allocation counter), close. With a {@link TrialProfiler} the trials of each
 * scenario, and nothing before them, are profiled. A scenario that fails is recorded as skipped
 * with the reason, and the suite carries on.
 *
 * <p>Thread-safety: single-threaded.
 */
public final class SuiteRunner {
    private final TrialPlan plan;
    private final PrintStream log;
    private final TrialProfiler profiler;

    public SuiteRunner(TrialPlan plan, PrintStream log) {
        this(plan, log, null);
    }

    /** @param profiler profiles each scenario's measured trials, or null for none */
    public SuiteRunner(TrialPlan plan, PrintStream log, TrialProfiler profiler) {
        this.plan = plan;
        this.log = log;
        this.profiler = profiler;
    }

    public List<ScenarioResult> run(List<Scenario> scenarios) {
        List<ScenarioResult> results = new ArrayList<>(scenarios.size());
        int index = 0;
        for (Scenario scenario : scenarios) {
            index++;
            log.printf(Locale.ROOT, "[%d/%d] %s: %s%n", index, scenarios.size(), scenario.name(), scenario.description());
            results.add(runOne(scenario));
        }
        return results;
    }

    private ScenarioResult runOne(Scenario scenario) {
        String unavailable = scenario.unavailableReason();
        if (unavailable != null) {
            log.println("  skipped: " + unavailable);
            return ScenarioResult.skipped(scenario, unavailable);
        }
        List<TrialResult> trials = new ArrayList<>(plan.trials());
        ProfileRecord profile = null;
        try {
            try {
                scenario.open();
                scenario.run(plan.warmup(), plan.sample());
                if (profiler != null) {
                    profiler.start();
                }
                for (int k = 0; k < plan.trials(); k++) {
                    long before = Allocation.total();
                    TrialResult trial = scenario.run(plan.trial(), plan.sample());
                    long after = Allocation.total();
                    if (before >= 0 && after >= before) {
                        trial = trial.withAllocatedBytes(after - before);
                    }
                    trials.add(trial);
                    log.println("  " + describe(k, trial));
                }
                if (profiler != null) {
                    profile = profiler.stop(scenario.name());
                    log.println("  " + describe(profile));
                }
            } finally {
                if (profiler != null) {
                    profiler.abandon();
                }
                scenario.close();
            }
        } catch (Exception | AssertionError e) {
            String reason = "failed: " + e;
            log.println("  " + reason);
            return ScenarioResult.skipped(scenario, reason);
        }
        return new ScenarioResult(scenario.name(), scenario.group(), scenario.description(), scenario.metric(),
            scenario.peers(), trials, null, profile);
    }

    private static String describe(ProfileRecord profile) {
        if (!profile.written()) {
            return "profile " + profile.requested() + ": " + profile.note();
        }
        return String.format(Locale.ROOT, "profile %s (%d samples): %s%s", profile.sampled(), profile.samples(),
            profile.flamegraph(), profile.note() == null ? "" : "; " + profile.note());
    }

    private static String describe(int index, TrialResult trial) {
        String line = String.format(Locale.ROOT, "trial %d: %,.0f events/s (%d in %.2f s)", index + 1,
            trial.throughput(), trial.events(), trial.seconds());
        if (trial.latency() != null) {
            line += String.format(Locale.ROOT, " p50=%.1fus p99=%.1fus p99.9=%.1fus max=%.1fus", trial.latency().p50(),
                trial.latency().p99(), trial.latency().p999(), trial.latency().max());
        }
        if (!Double.isNaN(trial.allocationPerEvent())) {
            line += String.format(Locale.ROOT, " alloc=%.1fB/event", trial.allocationPerEvent());
        }
        return line;
    }
}
