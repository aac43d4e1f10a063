package io.ferrite.pipeline;

import io.ferrite.pipeline.actions.ActionSpec;

import java.util.List;
import java.util.Objects;

/**
 * A checked pipeline file: its name and stages, in order. {@link Stages#build} turns it into
 * handlers for an engine.
 *
 * <p>Thread-safety: immutable.
 *
 * @param name   the pipeline's name
 * @param stages   its stages, in order
 * @param policies its admission rules, as written (see {@link PolicyEngine} for their order)
 * @param actions  the actions its stages may run
 * @param source   where it was read from
 */
public record Pipeline(String name, List<StageSpec> stages, List<PolicySpec> policies, List<ActionSpec> actions,
                       String source) {
    public Pipeline {
        stages = List.copyOf(stages);
        policies = List.copyOf(policies);
        actions = List.copyOf(actions);
    }

    /** Whether {@code other} has the same stages (names, uses, routes, options, lanes, actions) and actions (lines aside). */
    public boolean sameStages(Pipeline other) {
        if (stages.size() != other.stages.size()) {
            return false;
        }
        for (int i = 0; i < stages.size(); i++) {
            StageSpec a = stages.get(i);
            StageSpec b = other.stages.get(i);
            if (!a.name().equals(b.name()) || !a.use().equals(b.use()) || !a.route().equals(b.route())
                || !a.tags().equals(b.tags()) || !a.options().equals(b.options()) || !Objects.equals(a.lanes(), b.lanes())
                || !a.actions().equals(b.actions())) {
                return false;
            }
        }
        return actions.stream().map(ActionSpec::anywhere).toList()
            .equals(other.actions.stream().map(ActionSpec::anywhere).toList());
    }

    /** One line per stage: {@code name: use (route)}. */
    public String describe() {
        StringBuilder text = new StringBuilder(source + ": pipeline '" + name + "', " + stages.size() + " stage"
            + (stages.size() == 1 ? "" : "s"));
        for (StageSpec stage : stages) {
            text.append(System.lineSeparator()).append("  ").append(stage.name()).append(": ").append(stage.use())
                .append(" (").append(stage.route()).append(stage.tags().isEmpty() ? "" : ", tag in " + stage.tags())
                .append(')');
            if (stage.lanes() != null) {
                text.append(", priority lanes: ").append(stage.lanes().slots()).append(" slots of ")
                    .append(stage.lanes().slotBytes()).append(" B, the lowest served at least once in ")
                    .append(stage.lanes().lowestEvery() + 1);
            }
        }
        for (PolicySpec policy : policies) {
            text.append(System.lineSeparator()).append("  policy ").append(policy.name()).append(": ")
                .append(policy.describeOutcome()).append(" when ").append(policy.when())
                .append(policy.principals().isEmpty() ? "" : ", principal in " + policy.principals())
                .append(policy.roles().isEmpty() ? "" : ", role in " + policy.roles());
        }
        return text.toString();
    }
}
