package io.ferrite.bench.pipeline;

import io.ferrite.engine.auth.Identities;
import io.ferrite.pipeline.Pipeline;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.PolicyEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import software.amazon.event.ruler.Machine;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Policy decisions with 100 header-field rules (each: one event type, one of 10 principals; half
 * deny, half allow), over 1,024 events cycling through 200 types and 10 principals — Ferrite's
 * {@link PolicyEngine} with its decision cache (all hits once warm), the same rules evaluated
 * without the cache, and the peer: AWS EventRuler's {@code Machine} matching the same rules against
 * the same events given as sorted name/value pairs. Targets: ≥ 5 M/s on hits, ≥ 1 M/s uncached.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class PolicyBenchmark {
    private static final int EVENTS = 1_024;
    private static final int RULES = 100;
    private static final int PRINCIPALS = 10;

    private PolicyEngine policies;
    private Machine ruler;
    private final int[] principal = new int[EVENTS];
    private final int[] type = new int[EVENTS];
    private final long[] key = new long[EVENTS];
    private final String[][] rulerEvents = new String[EVENTS][];

    @Setup
    public void setUp() throws Exception {
        Path dir = Files.createTempDirectory("policy-bench");
        StringBuilder tokens = new StringBuilder();
        for (int p = 0; p < PRINCIPALS; p++) {
            tokens.append("token-").append(p).append(" user-").append(p).append('\n');
        }
        Identities identities = Identities.read(Files.writeString(dir.resolve("tokens"), tokens));
        StringBuilder yaml = new StringBuilder("stages:\n  - name: a\n    use: discard\npolicies:\n");
        ruler = new Machine();
        for (int r = 0; r < RULES; r++) {
            yaml.append("  - name: rule-").append(r).append("\n    when: {type: ").append(r * 2).append(", principal: user-")
                .append(r % PRINCIPALS).append("}\n    then: ").append(r % 2 == 0 ? "deny" : "allow").append('\n');
            ruler.addRule("rule-" + r, Map.of("principal", List.of("\"user-" + (r % PRINCIPALS) + "\""),
                "type", List.of(Integer.toString(r * 2))));
        }
        Pipeline pipeline = PipelineFile.parse("bench.yaml", yaml.toString());
        policies = PolicyEngine.compile(pipeline.policies(), identities, 10_000, Duration.ofMinutes(5));
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < EVENTS; i++) {
            principal[i] = random.nextInt(PRINCIPALS);
            type[i] = random.nextInt(2 * RULES);
            key[i] = random.nextLong();
            rulerEvents[i] = new String[] {"key", Long.toString(key[i]), "principal", "\"user-" + principal[i] + "\"",
                "type", Integer.toString(type[i])};
        }
        checkBothAgree();
    }

    /** The peers must decide alike, or the comparison means nothing: the deny rules are the even ones. */
    private void checkBothAgree() {
        for (int i = 0; i < EVENTS; i++) {
            List<String> matched = ruler.rulesForEvent(rulerEvents[i]);
            boolean rulerDenies = !matched.isEmpty() && Integer.parseInt(matched.getFirst().substring(5)) % 2 == 0;
            boolean ferriteDenies =
                policies.decideUncached(principal[i], type[i], key[i], 0, MemorySegment.NULL, 0, 0).refused();
            if (rulerDenies != ferriteDenies) {
                throw new IllegalStateException("event " + i + ": EventRuler " + matched + ", Ferrite denies " + ferriteDenies);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void ferriteCached(Blackhole sink) {
        for (int i = 0; i < EVENTS; i++) {
            sink.consume(policies.decide(principal[i], type[i], key[i], 0, MemorySegment.NULL, 0, 0));
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void ferriteUncached(Blackhole sink) {
        for (int i = 0; i < EVENTS; i++) {
            sink.consume(policies.decideUncached(principal[i], type[i], key[i], 0, MemorySegment.NULL, 0, 0));
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void eventRuler(Blackhole sink) {
        for (int i = 0; i < EVENTS; i++) {
            sink.consume(ruler.rulesForEvent(rulerEvents[i]));
        }
    }
}
