package io.ferrite.pipeline;

import io.ferrite.engine.Durations;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the values of a pipeline file's YAML nodes — maps with known fields, single values, whole
 * numbers in a range, durations, instants, lists of names — and turns every mistake into a
 * {@link PipelineException} naming the file, the line and the field. Each section of the file
 * (stages, policies, actions, the index, windows) is read with it.
 *
 * <p>Thread-safety: immutable.
 *
 * @param source the file's name, for messages
 */
record NodeReader(String source) {
    Duration duration(Node node, String path, String fallback) {
        String text = node == null ? fallback : scalar(node, path);
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw error(node, path, "expected a duration like 500ms, 30s, 5m, got '" + text + "'");
        }
    }

    /** A name or a list of names. */
    List<String> names(Node node, String path) {
        if (node == null) {
            return List.of();
        }
        if (node instanceof SequenceNode list) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < list.getValue().size(); i++) {
                names.add(scalar(list.getValue().get(i), path + "[" + i + "]"));
            }
            return names;
        }
        return List.of(scalar(node, path));
    }

    /** {@code fields.key}, a whole number in [low, high], or {@code fallback} when it is not there. */
    long numberOr(Map<String, Node> fields, String key, String path, long low, long high, long fallback) {
        Node node = fields.get(key);
        return node == null ? fallback : number(node, path + "." + key, low, high, "a whole number " + low + ".." + high);
    }

    long instant(Node node, String path) {
        String text = scalar(node, path);
        try {
            return text.chars().allMatch(Character::isDigit) ? Long.parseLong(text)
                : Math.addExact(Math.multiplyExact(Instant.parse(text).getEpochSecond(), 1_000_000_000L),
                    Instant.parse(text).getNano());
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw error(node, path, "expected an instant like 2026-12-01T00:00:00Z or epoch nanoseconds, got '"
                + text + "'");
        }
    }

    /** A number, a list of numbers, or {min, max}; each within [low, high]. */
    FieldMatch match(Node node, String path, long low, long high) {
        if (node == null) {
            return FieldMatch.ANY;
        }
        String allowed = "a number " + low + ".." + high + ", a list of them, or {min: .., max: ..}";
        if (node instanceof ScalarNode) {
            return FieldMatch.oneOf(number(node, path, low, high, allowed));
        }
        if (node instanceof SequenceNode list) {
            if (list.getValue().isEmpty()) {
                throw error(node, path, "an empty list matches nothing; expected " + allowed);
            }
            long[] values = new long[list.getValue().size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = number(list.getValue().get(i), path + "[" + i + "]", low, high, allowed);
            }
            return FieldMatch.oneOf(values);
        }
        Map<String, Node> bounds = mapping(node, path, Set.of("min", "max"));
        long min = bounds.containsKey("min") ? number(bounds.get("min"), path + ".min", low, high, allowed) : low;
        long max = bounds.containsKey("max") ? number(bounds.get("max"), path + ".max", low, high, allowed) : high;
        if (min > max) {
            throw error(node, path, "min " + min + " is above max " + max);
        }
        return FieldMatch.between(min, max);
    }

    long number(Node node, String path, long low, long high, String allowed) {
        String text = scalar(node, path);
        try {
            long value = Long.parseLong(text.replace("_", ""));
            if (value < low || value > high) {
                throw error(node, path, value + " is out of range; expected " + allowed);
            }
            return value;
        } catch (NumberFormatException e) {
            throw error(node, path, "expected " + allowed + ", got '" + text + "'");
        }
    }

    Map<String, Node> mapping(Node node, String path, Set<String> known) {
        if (!(node instanceof MappingNode map)) {
            throw error(node, path, "expected a map with " + String.join(", ", sorted(known)));
        }
        Map<String, Node> fields = new LinkedHashMap<>();
        for (NodeTuple tuple : map.getValue()) {
            String key = scalar(tuple.getKeyNode(), path);
            String field = path.equals("the file") ? key : path + "." + key;
            if (!known.contains(key)) {
                throw error(tuple.getKeyNode(), field, "unknown field; the fields here are " + String.join(", ",
                    sorted(known)));
            }
            if (fields.put(key, tuple.getValueNode()) != null) {
                throw error(tuple.getKeyNode(), field, "given twice");
            }
        }
        return fields;
    }

    String scalar(Node node, String path) {
        if (!(node instanceof ScalarNode scalar)) {
            throw error(node, path, "expected a single value, got a " + (node instanceof SequenceNode ? "list" : "map"));
        }
        return scalar.getValue().strip();
    }

    PipelineException error(Node node, String path, String message) {
        return new PipelineException(source + ":" + line(node) + ": " + path + ": " + message);
    }

    static int line(Node node) {
        return node.getStartMark().map(Mark::getLine).orElse(-1) + 1;
    }

    static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }
}
