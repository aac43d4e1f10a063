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
 * @param deny       true: refuse what matches; false: admit it (and stop evaluating)
 * @param where      {@code file:line}, for errors found when the rules are compiled
 */
public record PolicySpec(String name, Integer priority, Route when, List<String> principals, List<String> roles,
                         boolean deny, String where) {
    public PolicySpec {
        principals = List.copyOf(principals);
        roles = List.copyOf(roles);
    }
}
