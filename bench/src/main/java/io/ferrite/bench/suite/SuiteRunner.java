package io.ferrite.bench.suite;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs scenarios one after the other on the calling thread: open, warm up, the trials (each
 * wrapped in the JVM's allocation counter), close. A scenario that fails is recorded as skipped
 * with the reason, and the suite carries on.
 *
 * <p>Thread-safety: single-threaded.
 */
public final class SuiteRunner {
    private final TrialPlan plan;
    private final PrintStream log;

    public SuiteRunner(TrialPlan plan, PrintStream log) {
        this.plan = plan;
        this.log = log;
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
        try {
            try {
                scenario.open();
                scenario.run(plan.warmup(), plan.sample());
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
            } finally {
                scenario.close();
            }
        } catch (Exception | AssertionError e) {
            String reason = "failed: " + e;
            log.println("  " + reason);
            return ScenarioResult.skipped(scenario, reason);
        }
        return new ScenarioResult(scenario.name(), scenario.group(), scenario.description(), scenario.metric(),
            scenario.peers(), trials, null);
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
