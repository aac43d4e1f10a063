package io.ferrite.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A reload changes the policies only: a file whose stages changed is refused, and the running rules stay. */
class ReloadablePoliciesTest {
    @TempDir
    Path dir;

    @Test
    void aReloadThatChangesStagesIsRefusedAndMovedPolicyLinesAreFine() throws Exception {
        Path file = Files.writeString(dir.resolve("p.yaml"), """
            stages:
              - name: a
                use: discard
                route: {type: 1}
            policies:
              - name: no-9
                when: {type: 9}
                then: deny
            """);
        ReloadablePolicies policies = new ReloadablePolicies(file, PipelineFile.read(file), null);
        assertThat(policies.decide(-1, 9, 0, 0, MemorySegment.NULL, 0, 0).refusal()).isNotNull();
        Files.writeString(file, """
            # a comment moves every line down: the stages are still the same
            stages:
              - name: a
                use: discard
                route: {type: [1]}
            policies: []
            """);
        assertThat(policies.reload()).contains("0 policies");
        assertThat(policies.decide(-1, 9, 0, 0, MemorySegment.NULL, 0, 0).refusal()).isNull();
        Files.writeString(file, "stages:\n  - name: a\n    use: log\npolicies:\n  - name: no-9\n    when: {type: 9}\n    then: deny\n");
        assertThatThrownBy(policies::reload).isInstanceOf(PipelineException.class)
            .hasMessageContaining("the stages or their routes changed").hasMessageContaining("restart the server");
        assertThat(policies.decide(-1, 9, 0, 0, MemorySegment.NULL, 0, 0).refusal()).as("the running rules stay").isNull();
    }
}
