package io.ferrite.pipeline;

import io.ferrite.pipeline.lanes.LaneSpec;

import java.util.List;
import java.util.Map;

/**
 * One stage as the pipeline file declares it.
 *
 * <p>Thread-safety: immutable.
 *
 * @param name    unique name (its checkpoint and metrics are keyed by it)
 * @param use     a built-in ({@code count}, {@code discard}, {@code log}) or a class name
 * @param route   which events it sees
 * @param tags    the route's tag condition: the event must carry one of these (empty: none)
 * @param options its {@code with:} settings, as text
 * @param lanes   its priority lanes, or null when it takes events in journal order on the stage thread
 * @param actions the actions it runs for each event (then {@code use} is {@code actions}), or none
 * @param where   {@code file:line} of its declaration, for errors found later (loading its class)
 */
public record StageSpec(String name, String use, Route route, List<String> tags, Map<String, String> options,
                        LaneSpec lanes, List<String> actions, String where) {
    public StageSpec {
        tags = List.copyOf(tags);
        actions = List.copyOf(actions);
        options = Map.copyOf(options);
    }
}
