package io.ferrite.pipeline;

import io.ferrite.pipeline.lanes.LaneSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pipeline file: what a good one becomes, and that every mistake names the file, line and field. */
class PipelineFileTest {
    private static final String GOOD = """
        name: orders
        stages:
          - name: audit
            use: log
            with: {every: 10000}
          - name: orders
            use: com.example.Orders
            route:
              type: [1, 2]
              priority: {max: 1}
              key: {min: 100, max: 199}
          - name: urgent
            use: discard
            route: {priority: 0}
        """;

    @Test
    void aGoodFileBecomesItsStagesInOrder() {
        Pipeline pipeline = PipelineFile.parse("orders.yaml", GOOD);
        assertThat(pipeline.name()).isEqualTo("orders");
        assertThat(pipeline.stages()).extracting(StageSpec::name).containsExactly("audit", "orders", "urgent");
        StageSpec orders = pipeline.stages().get(1);
        assertThat(orders.use()).isEqualTo("com.example.Orders");
        assertThat(orders.where()).isEqualTo("orders.yaml:6");
        assertThat(orders.route().type().matches(2)).isTrue();
        assertThat(orders.route().type().matches(3)).isFalse();
        assertThat(orders.route().priority().matches(1)).isTrue();
        assertThat(orders.route().priority().matches(2)).isFalse();
        assertThat(orders.route().key().matches(199)).isTrue();
        assertThat(orders.route().key().matches(200)).isFalse();
        assertThat(pipeline.stages().getFirst().route()).isEqualTo(Route.ALL);
        assertThat(pipeline.stages().getFirst().options()).containsEntry("every", "10000");
        assertThat(pipeline.describe()).contains("orders: com.example.Orders (type in [1, 2], key 100 <= key <= 199,"
            + " priority 0 <= priority <= 1)").contains("urgent: discard (priority 0)");
    }

    @Test
    void everyMistakeNamesTheFileTheLineAndTheField() {
        assertMistake("", "f.yaml:1: the file is empty");
        assertMistake("name: x\n", "f.yaml:1: stages: missing");
        assertMistake("stages: []\n", "f.yaml:1: stages: expected a list of stages");
        assertMistake("stages:\n  - name: a\n    use: log\n    colour: red\n",
            "f.yaml:4: stages[0].colour: unknown field; the fields here are actions, lanes, name, route, use, with");
        assertMistake("stages:\n  - name: a\n", "f.yaml:2: stages[0].use: missing; say what the stage runs: discard, log");
        assertMistake("stages:\n  - use: log\n", "f.yaml:2: stages[0].name: missing");
        assertMistake("stages:\n  - name: Big Name\n    use: log\n", "f.yaml:2: stages[0].name: 'Big Name' is not a stage name");
        assertMistake("stages:\n  - name: a\n    use: log\n  - name: a\n    use: log\n",
            "f.yaml:4: stages[1].name: 'a' is already the name of an earlier stage");
        assertMistake("stages:\n  - name: a\n    use: log\n    route:\n      type: abc\n",
            "f.yaml:5: stages[0].route.type: expected a number 0..2147483647, a list of them, or {min: .., max: ..}, got 'abc'");
        assertMistake("stages:\n  - name: a\n    use: log\n    route:\n      priority: 7\n",
            "f.yaml:5: stages[0].route.priority: 7 is out of range; expected a number 0..3");
        assertMistake("stages:\n  - name: a\n    use: log\n    route:\n      key: {min: 5, max: 1}\n",
            "f.yaml:5: stages[0].route.key: min 5 is above max 1");
        assertMistake("stages:\n  - name: a\n    use: log\n    route:\n      type: [1, x]\n",
            "f.yaml:5: stages[0].route.type[1]: expected a number");
        assertMistake("stages:\n  - name: a\n    use: [log]\n", "f.yaml:3: stages[0].use: expected a single value, got a list");
        assertMistake("stages:\n  - name: a\n    use: log\n   bad: indentation\n", "f.yaml:4: not valid YAML");
        assertMistake("stages:\n  - name: a\n    use: log\n    lanes: {slots: 0}\n",
            "f.yaml:4: stages[0].lanes.slots: 0 is out of range; expected a whole number 1..1048576");
        assertMistake("stages:\n  - name: a\n    use: log\n    lanes: {slot-bytes: 100}\n",
            "f.yaml:4: stages[0].lanes.slot-bytes: must be a multiple of 8, got 100");
        assertMistake("stages:\n  - name: a\n    use: log\n    lanes: {quota: 3}\n",
            "f.yaml:4: stages[0].lanes.quota: unknown field; the fields here are lowest-every, slot-bytes, slots, thread");
        assertMistake("stages:\n  - name: a\n    use: log\n    lanes: {thread: many}\n",
            "f.yaml:4: stages[0].lanes.thread: expected stage (the handler runs on the stage thread, the default) or own");
        assertMistake("stages:\n  - name: a\n    use: log\n    lanes: maybe\n", "f.yaml:4: stages[0].lanes: expected");
        assertMistake("stages:\n  - name: a\n    use: log\n    route: {timestamp: {min: yesterday}}\n",
            "f.yaml:4: stages[0].route.timestamp.min: expected an instant like 2026-12-01T00:00:00Z or epoch nanoseconds,"
                + " got 'yesterday'");
        assertMistake("stages:\n  - name: a\n    use: log\n    route: {timestamp: {min: 2026-12-02T00:00:00Z, max: 5}}\n",
            "f.yaml:4: stages[0].route.timestamp: min is after max");
    }

    @Test
    void lanesAreOffByDefaultAndTakeTheirDefaultsOrWhatTheFileSays() {
        Pipeline pipeline = PipelineFile.parse("f.yaml", """
            stages:
              - {name: plain, use: log}
              - {name: defaults, use: log, lanes: true}
              - {name: sized, use: log, lanes: {slots: 128, lowest-every: 3, thread: own}}
            """);
        assertThat(pipeline.stages()).extracting(StageSpec::lanes)
            .containsExactly(null, LaneSpec.DEFAULT, new LaneSpec(128, LaneSpec.DEFAULT.slotBytes(), 3, true));
    }

    private static void assertMistake(String text, String says) {
        assertThatThrownBy(() -> PipelineFile.parse("f.yaml", text)).isInstanceOf(PipelineException.class)
            .hasMessageStartingWith(says.substring(0, says.indexOf(": ") + 2)).hasMessageContaining(says);
    }
}
