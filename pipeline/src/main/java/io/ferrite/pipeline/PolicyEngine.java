package io.ferrite.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ferrite.engine.AdmissionPolicy;
import io.ferrite.engine.EventMarks;
import io.ferrite.engine.auth.Identities;
import io.ferrite.engine.metrics.Metric;
import io.ferrite.engine.metrics.MetricRegistry;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The pipeline's policies as the server's {@link AdmissionPolicy}: ordered rules (by priority,
 * lowest first, then file order), the first that matches decides — deny (REJECT INVALID_EVENT
 * "refused by policy NAME"), allow, drop (journaled, no stage handles it), or tags and a route
 * (journaled with those {@link EventMarks}, see {@link Marks}); no match admits. Decisions are cached in Caffeine (W-TinyLFU,
 * 5 min TTL, 10,000 entries by default), keyed by the fields the rules read: a rule set that reads
 * only type and principal caches one decision per (type, principal), whatever the key. A rule set
 * with payload conditions is evaluated for every event (its decisions depend on the payload).
 *
 * <p>Thread-safety: thread-safe; every event loop calls {@link #decide} at once. A cache hit
 * allocates nothing (each thread probes with its own reusable key).
 */
public final class PolicyEngine implements AdmissionPolicy {
    private final List<Rule> rules;
    private final boolean readsPrincipal;
    private final boolean readsType;
    private final boolean readsKey;
    private final boolean readsPriority;
    /** A rule reads the payload: decisions depend on more than the header and are not cached. */
    private final boolean readsPayload;
    private final Cache<DecisionKey, Rule> cache;
    private final Marks marks;
    private final ThreadLocal<DecisionKey> probes = ThreadLocal.withInitial(DecisionKey::new);
    private final Stats stats;

    /**
     * What the policies did, kept across reloads (a reloaded rule set counts on where the last one
     * stopped).
     *
     * <p>Thread-safety: thread-safe (LongAdders).
     */
    public static final class Stats {
        private final LongAdder evaluations = new LongAdder();
        private final LongAdder allowed = new LongAdder();
        private final LongAdder denied = new LongAdder();
        private final LongAdder dropped = new LongAdder();
        private final LongAdder marked = new LongAdder();
        private final LongAdder hits = new LongAdder();
        private final LongAdder misses = new LongAdder();
        private final LongAdder reloads = new LongAdder();

        /** Adds evaluations, decisions by outcome, cache hits and misses, and reloads to {@code registry}. */
        public void registerInto(MetricRegistry registry) {
            registry.add(Metric.counter("ferrite_policy_evaluations", "Rule-set evaluations (cache misses)",
                evaluations::sum));
            registry.add(Metric.counter("ferrite_policy_decisions", "Policy decisions, by outcome", allowed::sum)
                .withLabel("outcome", "allow"));
            registry.add(Metric.counter("ferrite_policy_decisions", "Policy decisions, by outcome", denied::sum)
                .withLabel("outcome", "deny"));
            registry.add(Metric.counter("ferrite_policy_decisions", "Policy decisions, by outcome", dropped::sum)
                .withLabel("outcome", "drop"));
            registry.add(Metric.counter("ferrite_policy_decisions", "Policy decisions, by outcome", marked::sum)
                .withLabel("outcome", "mark"));
            registry.add(Metric.counter("ferrite_policy_cache", "Decision cache lookups, by result", hits::sum)
                .withLabel("result", "hit"));
            registry.add(Metric.counter("ferrite_policy_cache", "Decision cache lookups, by result", misses::sum)
                .withLabel("result", "miss"));
            registry.add(Metric.counter("ferrite_policy_reloads", "Rule sets reloaded", reloads::sum));
        }

        /** A reload took effect. */
        public void reloaded() {
            reloads.increment();
        }
    }

    /** A compiled rule and the decision it makes; {@link #ADMIT} stands for "no rule matched". */
    private record Rule(String name, Route when, FieldMatch principal, PolicySpec.Outcome outcome, String describe,
                        Decision decision) {
    }

    private static final Rule ADMIT = new Rule("(none)", Route.ALL, FieldMatch.ANY, PolicySpec.Outcome.ALLOW, "allow",
        Decision.ADMIT);

    private PolicyEngine(List<Rule> rules, Marks marks, long maxDecisions, Duration ttl, Stats stats) {
        this.marks = marks;
        this.rules = List.copyOf(rules);
        this.stats = stats;
        this.readsPrincipal = rules.stream().anyMatch(r -> !r.principal().isAny());
        this.readsType = rules.stream().anyMatch(r -> !r.when().type().isAny());
        this.readsKey = rules.stream().anyMatch(r -> !r.when().key().isAny());
        this.readsPriority = rules.stream().anyMatch(r -> !r.when().priority().isAny());
        this.readsPayload = rules.stream().anyMatch(r -> !r.when().payload().isEmpty());
        this.cache = Caffeine.newBuilder().maximumSize(maxDecisions).expireAfterWrite(ttl).build();
    }

    /**
     * Compiles {@code policies} against the principals of {@code identities}.
     *
     * @param identities the tokens file's principals, or null when there is none
     * @throws PipelineException naming the rule's line when it names a principal or role nobody has
     */
    public static PolicyEngine compile(List<PolicySpec> policies, Identities identities, long maxDecisions,
                                       Duration ttl) {
        return compile(policies, identities, maxDecisions, ttl, new Stats());
    }

    /** As {@link #compile(List, Identities, long, Duration)}, counting into {@code stats} (shared across reloads). */
    public static PolicyEngine compile(List<PolicySpec> policies, Identities identities, long maxDecisions,
                                       Duration ttl, Stats stats) {
        List<PolicySpec> ordered = new ArrayList<>(policies);
        ordered.sort(Comparator.comparing((PolicySpec p) -> p.priority() == null ? Integer.MAX_VALUE : p.priority()));
        Marks marks = Marks.of(policies);
        List<Rule> rules = new ArrayList<>();
        for (PolicySpec spec : ordered) {
            Decision decision = spec.outcome() == PolicySpec.Outcome.DENY
                ? new Decision(("refused by policy " + spec.name()).getBytes(StandardCharsets.UTF_8), EventMarks.NONE)
                : new Decision(null, marks.of(spec));
            rules.add(new Rule(spec.name(), spec.when(), principals(spec, identities), spec.outcome(),
                spec.describeOutcome(), decision));
        }
        return new PolicyEngine(rules, marks, maxDecisions, ttl, stats);
    }

    private static FieldMatch principals(PolicySpec spec, Identities identities) {
        if (spec.principals().isEmpty() && spec.roles().isEmpty()) {
            return FieldMatch.ANY;
        }
        if (identities == null) {
            throw new PipelineException(spec.where() + ": policy " + spec.name() + ": names principals or roles, which"
                + " need a tokens file (ferrite run --tokens-file)");
        }
        List<Long> ids = new ArrayList<>();
        for (String principal : spec.principals()) {
            Identities.Identity identity = identities.byPrincipal(principal);
            if (identity == null) {
                throw new PipelineException(spec.where() + ": policy " + spec.name() + ": no principal '" + principal
                    + "' in the tokens file");
            }
            ids.add((long) identity.id());
        }
        for (String role : spec.roles()) {
            List<Identities.Identity> holders = identities.all().stream().filter(i -> i.roles().contains(role)).toList();
            if (holders.isEmpty()) {
                throw new PipelineException(spec.where() + ": policy " + spec.name() + ": nobody in the tokens file has"
                    + " role '" + role + "'");
            }
            holders.forEach(holder -> ids.add((long) holder.id()));
        }
        return FieldMatch.oneOf(ids.stream().mapToLong(Long::longValue).toArray());
    }

    @Override
    public Decision decide(int principal, int type, long key, int priority, MemorySegment payload, long offset, int length) {
        if (readsPayload) { // the decision depends on the payload: evaluated every time
            Rule decision = evaluate(principal, type, key, priority, payload, offset, length);
            return decided(decision);
        }
        DecisionKey probe = probes.get();
        probe.set(readsPrincipal ? principal : 0, readsType ? type : 0, readsKey ? key : 0, readsPriority ? priority : 0);
        Rule decision = cache.getIfPresent(probe);
        if (decision == null) {
            stats.misses.increment();
            decision = evaluate(principal, type, key, priority, payload, offset, length);
            cache.put(probe.copy(), decision);
        } else {
            stats.hits.increment();
        }
        return decided(decision);
    }

    private Decision decided(Rule rule) {
        switch (rule.outcome()) {
            case DENY -> stats.denied.increment();
            case DROP -> stats.dropped.increment();
            case MARK -> stats.marked.increment();
            case ALLOW -> stats.allowed.increment();
        }
        return rule.decision();
    }

    /** As {@link #decide}, without the cache and without counting: what an evaluation costs (benchmarks). */
    public Decision decideUncached(int principal, int type, long key, int priority, MemorySegment payload, long offset,
                                   int length) {
        return evaluate(principal, type, key, priority, payload, offset, length).decision();
    }

    /** The names of the tag bits these rules write. */
    public Marks marks() {
        return marks;
    }

    private Rule evaluate(int principal, int type, long key, int priority, MemorySegment payload, long offset,
                          int length) {
        stats.evaluations.increment();
        for (int i = 0; i < rules.size(); i++) { // indexed: no iterator per event
            Rule rule = rules.get(i);
            Route when = rule.when();
            if (rule.principal().matches(principal) && when.headerMatches(type, key, priority)
                && when.payloadMatches(payload, offset, length)) {
                return rule;
            }
        }
        return ADMIT;
    }

    /** Forgets every cached decision (the rules changed). */
    public void invalidate() {
        cache.invalidateAll();
    }

    public Stats stats() {
        return stats;
    }

    public long hits() {
        return stats.hits.sum();
    }

    public long misses() {
        return stats.misses.sum();
    }

    /** The rules in evaluation order, for {@code pipeline check}. */
    public List<String> order() {
        return rules.stream().map(rule -> rule.name() + " (" + rule.describe() + ")").toList();
    }

    /** A cache key: the fields the rules read. Mutable only as a thread's probe; copies are never changed. */
    private static final class DecisionKey {
        private int principal;
        private int type;
        private long key;
        private int priority;

        void set(int principalId, int eventType, long eventKey, int eventPriority) {
            this.principal = principalId;
            this.type = eventType;
            this.key = eventKey;
            this.priority = eventPriority;
        }

        DecisionKey copy() {
            DecisionKey copy = new DecisionKey();
            copy.set(principal, type, key, priority);
            return copy;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof DecisionKey k && k.principal == principal && k.type == type && k.key == key
                && k.priority == priority;
        }

        @Override
        public int hashCode() {
            long h = key * 0x9E3779B97F4A7C15L + type * 31L + principal * 961L + priority;
            return (int) (h ^ (h >>> 32));
        }
    }
}
