package io.ferrite.bench.report;

import io.ferrite.bench.suite.MachineInfo;
import io.ferrite.bench.suite.ScenarioResult;
import io.ferrite.bench.suite.SuiteKind;
import io.ferrite.cli.profile.ProfileEvent;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything one {@code ferrite bench} run produced, as the writers take it.
 *
 * <p>Thread-safety: immutable.
 *
 * @param suite       which suite ran
 * @param command     the command line, for the report
 * @param started     when the run began
 * @param seconds     wall time of the whole run
 * @param machine     where it ran
 * @param scenarios   every selected scenario, in run order
 * @param profile     the event the measured trials were profiled with ({@code --profile}), or null
 */
public record RunRecord(SuiteKind suite, String command, Instant started, double seconds, MachineInfo machine,
                        List<ScenarioResult> scenarios, ProfileEvent profile) {

    public RunRecord {
        scenarios = List.copyOf(scenarios);
    }

    public Optional<ScenarioResult> find(String name) {
        return scenarios.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
