package io.ferrite.transport.observe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Alert overrides from a file: applied field by field, and every mistake named by file and line. */
class AlertRulesFileTest {
    @TempDir
    Path dir;

    @Test
    void settingsApplyAndADisabledRuleIsGone() throws Exception {
        Path file = Files.writeString(dir.resolve("alerts.conf"), """
            # tighter latency, quieter CPU
            ack_latency_p99_high.threshold = 25
            ack_latency_p99_high.for = 30s   # held for half a minute
            cpu_high.severity = low

            memory_high.enabled = false
            """);
        List<AlertRule> rules = AlertRulesFile.apply(AlertRule.defaults(10), file);
        AlertRule latency = rules.stream().filter(r -> r.name().equals("ack_latency_p99_high")).findFirst().orElseThrow();
        assertThat(latency.threshold()).isEqualTo(25);
        assertThat(latency.holdFor()).isEqualTo(Duration.ofSeconds(30));
        assertThat(rules).filteredOn(r -> r.name().equals("cpu_high")).singleElement()
            .extracting(AlertRule::severity).isEqualTo(AlertRule.Severity.LOW);
        assertThat(rules).extracting(AlertRule::name).doesNotContain("memory_high")
            .hasSize(AlertRule.defaults(10).size() - 1);
    }

    @Test
    void mistakesAreNamedByFileAndLine() throws Exception {
        assertMistake("cpu_high.threshold = 80\nnot a setting\n", ":2: expected 'alert.field = value'");
        assertMistake("disk_full.threshold = 5\n", ":1: no alert 'disk_full'; the alerts are ack_latency_p99_high,");
        assertMistake("cpu_high.colour = red\n", ":1: no field 'colour'; the fields are threshold, for, severity, enabled");
        assertMistake("cpu_high.threshold = lots\n", ":1: threshold must be a number, got 'lots'");
        assertMistake("cpu_high.for = soon\n", ":1: for must be a duration like 0s, 500ms, 30s, 2m or 1h, got 'soon'");
        assertMistake("cpu_high.severity = dire\n", ":1: severity must be low, medium, high or critical, got 'dire'");
        assertMistake("cpu_high.enabled = maybe\n", ":1: enabled must be true or false, got 'maybe'");
        assertThatThrownBy(() -> AlertRulesFile.apply(AlertRule.defaults(10), dir.resolve("missing.conf")))
            .hasMessageContaining("cannot read alert rules file").hasMessageContaining("missing.conf");
    }

    private void assertMistake(String content, String says) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.conf"), content);
        assertThatThrownBy(() -> AlertRulesFile.apply(AlertRule.defaults(10), file))
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(file + says.substring(0, says.indexOf(':')))
            .hasMessageContaining(says);
    }
}
