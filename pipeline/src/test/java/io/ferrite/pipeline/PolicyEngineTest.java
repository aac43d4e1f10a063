package io.ferrite.pipeline;

import io.ferrite.engine.AdmissionPolicy;
import io.ferrite.engine.EventMarks;
import io.ferrite.engine.auth.Identities;
import io.ferrite.engine.metrics.MetricRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Policies: order, first match, principals and roles from a tokens file, the decision cache, no allocation on a hit. */
class PolicyEngineTest {
    @TempDir
    Path dir;

    private Identities identities() throws Exception {
        return Identities.read(Files.writeString(dir.resolve("tokens"), """
            # token      principal  roles
            s3cret-a     alice      admin,writer
            s3cret-g     guest      readonly
            """));
    }

    private PolicyEngine engine(String policies, Identities identities) {
        Pipeline pipeline = PipelineFile.parse("p.yaml", "stages:\n  - name: a\n    use: discard\n" + policies);
        return PolicyEngine.compile(pipeline.policies(), identities, 10_000, Duration.ofMinutes(5));
    }

    @Test
    void theFirstMatchingRuleDecidesInPriorityThenFileOrder() throws Exception {
        Identities ids = identities();
        int alice = ids.byPrincipal("alice").id();
        int guest = ids.byPrincipal("guest").id();
        PolicyEngine policies = engine("""
            policies:
              - name: no-readonly-writes
                when: {type: [2, 3], role: readonly}
                then: deny
              - name: admins-may-do-anything
                priority: 1
                when: {role: [admin]}
                then: allow
              - name: no-type-9
                priority: 5
                when: {type: 9}
                then: deny
            """, ids);
        assertThat(policies.order()).containsExactly("admins-may-do-anything (allow)", "no-type-9 (deny)",
            "no-readonly-writes (deny)");
        assertThat(policies.decide(alice, 9, 1, 0, MemorySegment.NULL, 0, 0).refusal()).as("the admin rule comes first").isNull();
        assertThat(new String(policies.decide(guest, 9, 1, 0, MemorySegment.NULL, 0, 0).refusal(), StandardCharsets.UTF_8)).isEqualTo("refused by policy no-type-9");
        assertThat(new String(policies.decide(guest, 2, 1, 0, MemorySegment.NULL, 0, 0).refusal(), StandardCharsets.UTF_8))
            .isEqualTo("refused by policy no-readonly-writes");
        assertThat(policies.decide(guest, 1, 1, 0, MemorySegment.NULL, 0, 0).refusal()).as("no rule matches: admitted").isNull();
        assertThat(policies.decide(Identities.ANONYMOUS, 2, 1, 0, MemorySegment.NULL, 0, 0).refusal()).isNull();
    }

    @Test
    void decisionsAreCachedByTheFieldsTheRulesReadAndAHitAllocatesNothing() throws Exception {
        Identities ids = identities();
        int guest = ids.byPrincipal("guest").id();
        PolicyEngine policies = engine("""
            policies:
              - name: guests-not-on-type-2
                when: {type: 2, principal: guest}
                then: deny
            """, ids);
        for (long key = 0; key < 1_000; key++) { // the rules read type and principal only: one decision for every key
            policies.decide(guest, 2, key, 0, MemorySegment.NULL, 0, 0).refusal();
        }
        assertThat(policies.misses()).isEqualTo(1);
        assertThat(policies.hits()).isEqualTo(999);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 200_000; i++) { // warm up: compile the hit path
            policies.decide(guest, 2, i, 0, MemorySegment.NULL, 0, 0).refusal();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000_000; i++) {
            policies.decide(guest, 2, i, 0, MemorySegment.NULL, 0, 0).refusal();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated by 1,000,000 cached decisions").isLessThan(100_000);
        MetricRegistry registry = new MetricRegistry();
        policies.stats().registerInto(registry);
        assertThat(Arrays.stream(registry.metrics()).filter(m -> m.displayName().equals("ferrite_policy_decisions{outcome=\"deny\"}"))
            .findFirst().orElseThrow().read()).isEqualTo(1_201_000);
    }

    @Test
    void rulesOnThePayloadAreEvaluatedForEveryEvent() throws Exception {
        Identities ids = identities();
        int guest = ids.byPrincipal("guest").id();
        PolicyEngine policies = engine("""
            policies:
              - name: no-big-orders-from-readonly
                when:
                  role: readonly
                  payload: [{json: amount, number: {min: 10000}}]
                then: deny
            """, ids);
        MemorySegment big = MemorySegment.ofArray("{\"amount\": 25000}".getBytes(StandardCharsets.UTF_8));
        MemorySegment small = MemorySegment.ofArray("{\"amount\": 250}".getBytes(StandardCharsets.UTF_8));
        assertThat(policies.decide(guest, 1, 1, 0, big, 0, (int) big.byteSize()).refusal()).isNotNull();
        assertThat(policies.decide(guest, 1, 1, 0, small, 0, (int) small.byteSize()).refusal()).as("same header, other payload")
            .isNull();
        assertThat(policies.decide(ids.byPrincipal("alice").id(), 1, 1, 0, big, 0, (int) big.byteSize()).refusal()).isNull();
        assertThat(policies.hits() + policies.misses()).as("nothing cached").isZero();
    }

    @Test
    void mistakesInRulesAreNamedByLine() throws Exception {
        assertThatThrownBy(() -> engine("policies:\n  - name: r\n    when: {principal: bob}\n    then: deny\n", identities()))
            .isInstanceOf(PipelineException.class).hasMessage("p.yaml:5: policy r: no principal 'bob' in the tokens file");
        assertThatThrownBy(() -> engine("policies:\n  - name: r\n    when: {role: pilot}\n    then: deny\n", identities()))
            .hasMessage("p.yaml:5: policy r: nobody in the tokens file has role 'pilot'");
        assertThatThrownBy(() -> engine("policies:\n  - name: r\n    when: {principal: bob}\n    then: deny\n", null))
            .hasMessageContaining("p.yaml:5: policy r: names principals or roles, which need a tokens file");
        assertThatThrownBy(() -> engine("policies:\n  - name: r\n    then: maybe\n", null))
            .hasMessage("p.yaml:6: policies[0].then: 'maybe' is not an outcome; expected allow, deny, drop, or {tag: [NAMES], route: STAGE}");
        assertThatThrownBy(() -> engine("policies:\n  - name: r\n    when: {colour: red}\n    then: deny\n", null))
            .hasMessageContaining("p.yaml:6: policies[0].when.colour: unknown field; the fields here are key, payload, principal,"
                + " priority, role, type");
        assertThatThrownBy(() -> engine("policies:\n  - name: r\n    then: deny\n  - name: r\n    then: allow\n", null))
            .hasMessageContaining("policies[1].name: 'r' is already the name of an earlier rule");
        assertThatThrownBy(() -> Identities.read(Files.writeString(dir.resolve("bad-tokens"), "lonely\n")))
            .hasMessageContaining("bad-tokens:1: expected 'TOKEN PRINCIPAL [ROLE,ROLE...]'");
    }

    @Test
    void dropTagAndRouteOutcomesBecomeTheEventsMarks() {
        Pipeline pipeline = PipelineFile.parse("p.yaml", """
            stages:
              - {name: audit, use: discard}
              - {name: vip-desk, use: discard, route: {type: 1, tag: [vip]}}
              - {name: fraud, use: discard, route: {type: 99}}
            policies:
              - {name: no-heartbeats, when: {type: 9}, then: drop}
              - {name: big-customers, when: {key: {max: 99}}, then: {tag: vip}}
              - {name: suspicious, when: {type: 7}, then: {tag: [vip, odd], route: fraud}}
            """);
        PolicyEngine policies = PolicyEngine.compile(pipeline.policies(), null, 10_000, Duration.ofMinutes(5));
        Marks marks = policies.marks();
        assertThat(marks.names()).containsExactly("vip", "odd", "->fraud");
        assertThat(policies.order()).containsExactly("no-heartbeats (drop)", "big-customers (tag [vip])",
            "suspicious (tag [vip, odd], route to fraud)");
        AdmissionPolicy.Decision heartbeat = policies.decide(-1, 9, 5, 0, MemorySegment.NULL, 0, 0);
        assertThat(heartbeat.refused()).isFalse();
        assertThat(EventMarks.dropped(heartbeat.marks())).isTrue();
        assertThat(EventMarks.tags(policies.decide(-1, 1, 5, 0, MemorySegment.NULL, 0, 0).marks())).isEqualTo(0b001);
        assertThat(EventMarks.tags(policies.decide(-1, 7, 500, 0, MemorySegment.NULL, 0, 0).marks())).isEqualTo(0b111);
        assertThat(policies.decide(-1, 1, 500, 0, MemorySegment.NULL, 0, 0)).isSameAs(AdmissionPolicy.Decision.ADMIT);
        assertThat(marks.routeBit("fraud")).isEqualTo(0b100);
        assertThat(marks.routeBit("audit")).isZero();
        assertThat(marks.tagBits(List.of("vip"))).isEqualTo(0b001);
    }

    @Test
    void outcomeMistakesAreNamedByLine() {
        assertThatThrownBy(() -> engine("policies:\n  - name: r\n    then: {route: nowhere}\n", null))
            .hasMessage("p.yaml:6: policies[0].then.route: no stage 'nowhere'; the stages are [a]");
        assertThatThrownBy(() -> engine("policies:\n  - name: r\n    then: {}\n", null))
            .hasMessage("p.yaml:6: policies[0].then: give tag: [NAMES] and/or route: STAGE");
        assertThatThrownBy(() -> engine("policies:\n  - name: r\n    then: {tag: Big Tag}\n", null))
            .hasMessageContaining("p.yaml:6: policies[0].then.tag: 'Big Tag' is not a tag");
        assertThatThrownBy(() -> PipelineFile.parse("p.yaml", "stages:\n  - {name: a, use: log, route: {tag: vip}}\n"))
            .hasMessage("p.yaml:2: stages[0].route.tag: no policy gives the tag 'vip'; tags come from policies"
                + " (then: {tag: [NAMES]})");
        StringBuilder many = new StringBuilder("policies:\n");
        for (int i = 0; i < 17; i++) {
            many.append("  - {name: r").append(i).append(", then: {tag: t").append(i).append("}}\n");
        }
        assertThatThrownBy(() -> engine(many.toString(), null))
            .hasMessageStartingWith("p.yaml:21: policy r16: more than 16 tags and routed-to stages in one pipeline");
    }
}
