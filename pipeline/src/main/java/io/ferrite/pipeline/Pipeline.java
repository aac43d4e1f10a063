package io.ferrite.pipeline;

import java.util.List;

/**
 * A checked pipeline file: its name and stages, in order. {@link Stages#build} turns it into
 * handlers for an engine.
 *
 * <p>Thread-safety: immutable.
 *
 * @param name   the pipeline's name
 * @param stages its stages, in order
 * @param source where it was read from
 */
public record Pipeline(String name, List<StageSpec> stages, String source) {
    public Pipeline {
        stages = List.copyOf(stages);
    }

    /** One line per stage: {@code name: use (route)}. */
    public String describe() {
        StringBuilder text = new StringBuilder(source + ": pipeline '" + name + "', " + stages.size() + " stage"
            + (stages.size() == 1 ? "" : "s"));
        for (StageSpec stage : stages) {
            text.append(System.lineSeparator()).append("  ").append(stage.name()).append(": ").append(stage.use())
                .append(" (").append(stage.route()).append(')');
        }
        return text.toString();
    }
}
