package io.ferrite.transport.observe;

import io.ferrite.engine.Durations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Overrides of the alert rules from a file, one setting per line:
 * <pre>
 * # comment
 * ack_latency_p99_high.threshold = 25      # the limit, in the rule's unit
 * ack_latency_p99_high.for = 30s           # how long it must hold: 0s, 500ms, 30s, 2m
 * cpu_high.severity = low                  # low | medium | high | critical
 * memory_high.enabled = false              # drop the rule
 * </pre>
 * Every mistake is reported with the file, the line and what is allowed.
 *
 * <p>Thread-safety: stateless.
 */
public final class AlertRulesFile {
    private static final Pattern LINE = Pattern.compile("\\s*([a-z0-9_]+)\\.([a-z]+)\\s*=\\s*(\\S+)\\s*");

    private AlertRulesFile() {
    }

    /**
     * {@code rules} with the file's settings applied.
     *
     * @throws IllegalArgumentException naming the file and line of the first mistake
     */
    public static List<AlertRule> apply(List<AlertRule> rules, Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read alert rules file " + file + ": " + e, e);
        }
        Map<String, AlertRule> byName = new LinkedHashMap<>();
        rules.forEach(rule -> byName.put(rule.name(), rule));
        for (int n = 0; n < lines.size(); n++) {
            String text = lines.get(n).replaceFirst("#.*", "");
            if (text.isBlank()) {
                continue;
            }
            String where = file + ":" + (n + 1) + ": ";
            Matcher line = LINE.matcher(text);
            if (!line.matches()) {
                throw new IllegalArgumentException(where + "expected 'alert.field = value', e.g. 'cpu_high.threshold = 90',"
                    + " got '" + text.strip() + "'");
            }
            String name = line.group(1);
            String field = line.group(2);
            String value = line.group(3);
            AlertRule rule = byName.get(name);
            if (rule == null) {
                if (!rules.stream().anyMatch(r -> r.name().equals(name))) {
                    throw new IllegalArgumentException(where + "no alert '" + name + "'; the alerts are "
                        + String.join(", ", rules.stream().map(AlertRule::name).toList()));
                }
                continue; // disabled on an earlier line
            }
            byName.put(name, switch (field) {
                case "threshold" -> with(rule, number(where, value), rule.holdFor(), rule.severity());
                case "for" -> with(rule, rule.threshold(), duration(where, value), rule.severity());
                case "severity" -> with(rule, rule.threshold(), rule.holdFor(), severity(where, value));
                case "enabled" -> {
                    if (!value.equals("true") && !value.equals("false")) {
                        throw new IllegalArgumentException(where + "enabled must be true or false, got '" + value + "'");
                    }
                    yield value.equals("true") ? rule : null;
                }
                default -> throw new IllegalArgumentException(where + "no field '" + field + "'; the fields are threshold,"
                    + " for, severity, enabled");
            });
            if (byName.get(name) == null) {
                byName.remove(name);
            }
        }
        return new ArrayList<>(byName.values());
    }

    private static AlertRule with(AlertRule rule, double threshold, Duration holdFor, AlertRule.Severity severity) {
        return new AlertRule(rule.name(), severity, rule.description(), rule.unit(), rule.above(), threshold, holdFor,
            rule.signal());
    }

    private static double number(String where, String value) {
        try {
            double number = Double.parseDouble(value);
            if (!Double.isFinite(number)) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + "threshold must be a number, got '" + value + "'", e);
        }
    }

    private static Duration duration(String where, String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "for must be a duration like 0s, 500ms, 30s, 2m or 1h, got '"
                + value + "'", e);
        }
    }

    private static AlertRule.Severity severity(String where, String value) {
        try {
            return AlertRule.Severity.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "severity must be low, medium, high or critical, got '" + value
                + "'", e);
        }
    }
}
