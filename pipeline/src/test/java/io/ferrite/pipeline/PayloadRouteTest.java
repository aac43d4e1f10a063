package io.ferrite.pipeline;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Routes on payload fields at fixed offsets (little-endian, as FWP/1), on a real engine. */
class PayloadRouteTest {
    @Test
    void aRouteMatchesOnPayloadFieldsAndAShortPayloadDoesNot() {
        Pipeline pipeline = PipelineFile.parse("p.yaml", """
            stages:
              - name: big-orders
                use: discard
                route:
                  type: 1
                  payload:
                    - {at: 0, u32: [7, 8]}          # the order kind
                    - {at: 4, i64: {min: 1000}}      # the amount
            """);
        assertThat(pipeline.stages().getFirst().route().toString())
            .isEqualTo("type 1, payload u32@0 in [7, 8], payload i64@4 1000 <= value");
        List<Stages.Built> stages = Stages.build(pipeline, Stages.loader(List.of()));
        try (Engine engine = Stages.addTo(Engine.builder().durability(Durability.MEMORY).memoryRingBytes(8 << 20), stages)
            .build()) {
            publish(engine, 1, 7, 5_000);   // matches
            publish(engine, 1, 8, 1_000);   // matches
            publish(engine, 1, 7, 999);     // amount too small
            publish(engine, 1, 9, 5_000);   // other kind
            publish(engine, 2, 7, 5_000);   // other type
            engine.publish(1, 1, 99, 0, MemorySegment.ofArray(new byte[6]), 0, 6); // too short for the amount
            RoutedStage stage = stages.getFirst().stage();
            Await.until("all six seen", Duration.ofSeconds(10), () -> stage.matched() + stage.passed() == 6);
            assertThat(stage.matched()).isEqualTo(2);
        }
    }

    @Test
    void badPayloadConditionsAreNamedByLine() {
        assertThatThrownBy(() -> PipelineFile.parse("p.yaml",
            "stages:\n  - name: a\n    use: discard\n    route:\n      payload:\n        - {u32: 7}\n"))
            .hasMessageContaining("p.yaml:6: stages[0].route.payload[0].at: missing");
        assertThatThrownBy(() -> PipelineFile.parse("p.yaml",
            "stages:\n  - name: a\n    use: discard\n    route:\n      payload:\n        - {at: 0, u8: 300}\n"))
            .hasMessageContaining("p.yaml:6: stages[0].route.payload[0].u8: 300 is out of range");
        assertThatThrownBy(() -> PipelineFile.parse("p.yaml",
            "stages:\n  - name: a\n    use: discard\n    route:\n      payload:\n        - {at: 0, u8: 1, u16: 2}\n"))
            .hasMessageContaining("give the field's type and condition once");
        assertThatThrownBy(() -> PipelineFile.parse("p.yaml",
            "stages:\n  - name: a\n    use: discard\n    route:\n      payload:\n        - {at: 0, f32: 1}\n"))
            .hasMessageContaining("p.yaml:6: stages[0].route.payload[0].f32: unknown field; the fields here are at, i32,"
                + " i64, u16, u32, u8");
    }

    private static void publish(Engine engine, int type, int kind, long amount) {
        MemorySegment payload = MemorySegment.ofArray(new byte[12]);
        payload.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, kind);
        payload.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4, amount);
        engine.publish(type, 1, System.nanoTime(), 0, payload, 0, 12);
    }
}
