package io.ferrite.pipeline;

import java.util.List;

/**
 * One policy rule as the pipeline file declares it.
 *
 * <p>Thread-safety: immutable.
 *
 * @param name       its name (in the REJECT message when it denies)
 * @param priority   evaluation order, lowest first; rules without one follow, in file order (null: none)
 * @param when       conditions on type, key and priority
 * @param principals the sender must be one of these principals (empty: anyone)
 * @param roles      the sender must hold one of these roles (empty: any)
 * @param outcome    what a match does (and evaluation stops)
 * @param tags       for {@link Outcome#MARK}: the tags the event is journaled with
 * @param routeTo    for {@link Outcome#MARK}: the stage that sees the event even when its route does
 *                   not match, or null
 * @param where      {@code file:line}, for errors found when the rules are compiled
 */
public record PolicySpec(String name, Integer priority, Route when, List<String> principals, List<String> roles,
                         Outcome outcome, List<String> tags, String routeTo, String where) {
    public PolicySpec {
        principals = List.copyOf(principals);
        roles = List.copyOf(roles);
        tags = List.copyOf(tags);
    }

    /** What a matching rule does with the event. */
    public enum Outcome {
        /** Admit it as it is. */
        ALLOW,
        /** Refuse it: REJECT INVALID_EVENT "refused by policy NAME"; never journaled. */
        DENY,
        /** Admit and journal it (it is ACKed), but no stage handles it. */
        DROP,
        /** Admit it with tags and/or routed to a stage. */
        MARK
    }

    /** {@code deny}, {@code allow}, {@code drop}, or {@code tag [a, b], route s}. */
    public String describeOutcome() {
        if (outcome != Outcome.MARK) {
            return outcome.name().toLowerCase(java.util.Locale.ROOT);
        }
        return (tags.isEmpty() ? "" : "tag " + tags) + (tags.isEmpty() || routeTo == null ? "" : ", ")
            + (routeTo == null ? "" : "route to " + routeTo);
    }
}
