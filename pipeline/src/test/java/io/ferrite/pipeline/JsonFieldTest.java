package io.ferrite.pipeline;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JSON payload conditions: found by path in place, strings and whole numbers, no allocation, and the odd payloads. */
class JsonFieldTest {
    private static boolean matches(JsonField field, String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return field.matches(MemorySegment.ofArray(bytes), 0, bytes.length);
    }

    @Test
    void fieldsAreFoundByPathPastOtherValues() {
        JsonField tier = JsonField.oneOf("customer.tier", List.of("gold", "platinum"));
        assertThat(matches(tier, "{\"customer\":{\"tier\":\"gold\"}}")).isTrue();
        assertThat(matches(tier, " { \"id\" : 7, \"tags\": [\"a\", {\"tier\":\"x\"}], \"note\": \"a } , \\\" brace\","
            + " \"customer\" : { \"name\": \"Ann\", \"tier\" : \"platinum\" } }")).isTrue();
        assertThat(matches(tier, "{\"customer\":{\"tier\":\"silver\"}}")).isFalse();
        assertThat(matches(tier, "{\"tier\":\"gold\"}")).as("not at that path").isFalse();
        assertThat(matches(tier, "{\"customer\":\"gold\"}")).as("not an object").isFalse();
        assertThat(matches(tier, "{\"customer\":{\"tier\":\"gol")).as("truncated").isFalse();
        assertThat(matches(tier, "not json")).isFalse();
        assertThat(matches(tier, "")).isFalse();

        JsonField amount = JsonField.number("amount", FieldMatch.between(1_000, Long.MAX_VALUE));
        assertThat(matches(amount, "{\"amount\": 1500, \"x\": 1}")).isTrue();
        assertThat(matches(amount, "{\"amount\":999}")).isFalse();
        assertThat(matches(amount, "{\"amount\":-5000}")).isFalse();
        assertThat(matches(amount, "{\"amount\":1500.5}")).as("not a whole number").isFalse();
        assertThat(matches(amount, "{\"amount\":\"1500\"}")).as("a string").isFalse();
        assertThat(matches(amount, "{\"amount\":99999999999999999999}")).as("beyond a long").isFalse();
    }

    @Test
    void aRouteOnJsonRunsOnAnEngineWithoutAllocating() throws Exception {
        Pipeline pipeline = PipelineFile.parse("j.yaml", """
            stages:
              - name: gold-orders
                use: discard
                route:
                  payload:
                    - {json: customer.tier, is: [gold]}
                    - {json: amount, number: {min: 100}}
            """);
        assertThat(pipeline.stages().getFirst().route().toString())
            .isEqualTo("json customer.tier in [gold], json amount 100 <= value");
        List<Stages.Built> stages = Stages.build(pipeline, Stages.loader(List.of()));
        byte[] gold = "{\"customer\":{\"tier\":\"gold\"},\"amount\":250}".getBytes(StandardCharsets.UTF_8);
        byte[] silver = "{\"customer\":{\"tier\":\"silver\"},\"amount\":250}".getBytes(StandardCharsets.UTF_8);
        try (Engine engine = Stages.addTo(Engine.builder().durability(Durability.MEMORY).memoryRingBytes(64 << 20),
            stages).build()) {
            RoutedStage stage = stages.getFirst().stage();
            long n = 0;
            for (int i = 0; i < 200_000; i++) { // warm up
                n = publish(engine, ++n, i % 2 == 0 ? gold : silver);
            }
            long total = n;
            Await.until("warmed up", Duration.ofSeconds(30), () -> stage.matched() + stage.passed() == total);
            assertThat(stage.matched()).isEqualTo(100_000);
            Thread thread = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("gold-orders"))
                .findFirst().orElseThrow();
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long fewest = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                long before = threads.getThreadAllocatedBytes(thread.threadId());
                for (int i = 0; i < 300_000; i++) {
                    n = publish(engine, ++n, i % 2 == 0 ? gold : silver);
                }
                long done = n;
                Await.until("round handled", Duration.ofSeconds(30), () -> stage.matched() + stage.passed() == done);
                fewest = Math.min(fewest, threads.getThreadAllocatedBytes(thread.threadId()) - before);
            }
            assertThat(fewest).as("bytes the stage allocated for 300,000 JSON events").isLessThan(300_000);
        }
    }

    private static long publish(Engine engine, long id, byte[] json) {
        MemorySegment payload = MemorySegment.ofArray(json);
        while (engine.publish(1, id, id, 0, payload, 0, json.length) < 0) {
            Thread.onSpinWait(); // back-pressured: the stage catches up
        }
        return id;
    }

    @Test
    void badJsonConditionsAreNamedByLine() {
        assertThatThrownBy(() -> PipelineFile.parse("j.yaml",
            "stages:\n  - name: a\n    use: discard\n    route:\n      payload:\n        - {json: a.b}\n"))
            .hasMessageContaining("j.yaml:6: stages[0].route.payload[0]: give one condition: is: [strings] or number:");
        assertThatThrownBy(() -> PipelineFile.parse("j.yaml",
            "stages:\n  - name: a\n    use: discard\n    route:\n      payload:\n        - {json: 'a..b', is: x}\n"))
            .hasMessageContaining("'a..b' is not a path of object keys");
        assertThatThrownBy(() -> PipelineFile.parse("j.yaml",
            "stages:\n  - name: a\n    use: discard\n    route:\n      payload:\n        - {json: a, number: lots}\n"))
            .hasMessageContaining("stages[0].route.payload[0].number: expected a number");
    }
}
