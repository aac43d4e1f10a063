package io.ferrite.pipeline.index;

import io.ferrite.engine.Durations;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a query asks: every condition given must hold (a conjunction). Built from the command
 * line ({@code ferrite query}) or from {@code GET /query?type=1&tag=vip&from=-5m}; every mistake is
 * an {@link IllegalArgumentException} that says which parameter and what would do.
 *
 * <p>Thread-safety: immutable.
 *
 * @param type    the event type, or null for any
 * @param key     the event key, or null for any
 * @param tags    tags the event must have (from policies, or {@code FIELD=VALUE} of indexed payload fields)
 * @param fields  payload JSON fields that must equal a value ({@code region=eu}); those not indexed are scanned for
 * @param from    the earliest event timestamp (epoch ns, inclusive), or {@code Long.MIN_VALUE}
 * @param to      the latest event timestamp (epoch ns, inclusive), or {@code Long.MAX_VALUE}
 * @param limit   at most this many events, the newest (printed in journal order)
 */
public record Query(Integer type, Long key, List<String> tags, List<FieldEquals> fields, long from, long to, int limit) {
    /** The parameters {@code GET /query} takes. */
    public static final Set<String> PARAMETERS = Set.of("type", "key", "tag", "field", "from", "to", "limit", "count");
    public static final int DEFAULT_LIMIT = 100;

    /** A payload field and the value it must have. */
    public record FieldEquals(String path, String value) {
        /** {@code path=value}. */
        public static FieldEquals parse(String text, String parameter) {
            int equals = text.indexOf('=');
            if (equals <= 0 || equals == text.length() - 1) {
                throw new IllegalArgumentException(parameter + " '" + text + "': expected FIELD=VALUE, e.g. region=eu");
            }
            return new FieldEquals(text.substring(0, equals), text.substring(equals + 1));
        }

        String asTag() {
            return path + "=" + value;
        }
    }

    public Query {
        tags = List.copyOf(tags);
        fields = List.copyOf(fields);
        if (from > to) {
            throw new IllegalArgumentException("from is after to");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
    }

    /**
     * A query from the parameters of {@code GET /query} (each a list of values, as a query string gives).
     *
     * @throws IllegalArgumentException naming an unknown parameter or a bad value
     */
    public static Query of(Map<String, List<String>> parameters, long nowNanos) {
        for (String name : parameters.keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw new IllegalArgumentException("unknown parameter '" + name + "'; the parameters are "
                    + PARAMETERS.stream().sorted().toList());
            }
        }
        String type = single(parameters, "type");
        String key = single(parameters, "key");
        String from = single(parameters, "from");
        String to = single(parameters, "to");
        String limit = single(parameters, "limit");
        List<FieldEquals> fields = new ArrayList<>();
        for (String field : parameters.getOrDefault("field", List.of())) {
            fields.add(FieldEquals.parse(field, "field"));
        }
        return new Query(type == null ? null : parseType(type, "type"), key == null ? null : parseKey(key, "key"),
            parameters.getOrDefault("tag", List.of()), fields,
            from == null ? Long.MIN_VALUE : parseTime(from, "from", nowNanos),
            to == null ? Long.MAX_VALUE : parseTime(to, "to", nowNanos),
            limit == null ? DEFAULT_LIMIT : (int) parseNumber(limit, "limit", 1, 1_000_000));
    }

    private static String single(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new IllegalArgumentException(name + " is given " + values.size() + " times; give it once");
        }
        return values.getFirst();
    }

    public static int parseType(String text, String parameter) {
        return (int) parseNumber(text, parameter, 0, 0xffff_ffffL);
    }

    public static long parseKey(String text, String parameter) {
        return parseNumber(text, parameter, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    private static long parseNumber(String text, String parameter, long low, long high) {
        try {
            long value = Long.parseLong(text.trim().replace("_", ""));
            if (value < low || value > high) {
                throw new IllegalArgumentException(parameter + " " + value + " is out of range " + low + ".." + high);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(parameter + " '" + text + "' is not a whole number", e);
        }
    }

    /**
     * A time: an ISO-8601 instant ({@code 2026-12-01T10:00:00Z}), epoch nanoseconds, or a duration
     * ago ({@code -10m}: ten minutes before {@code nowNanos}).
     */
    public static long parseTime(String text, String parameter, long nowNanos) {
        String value = text.trim();
        try {
            if (value.startsWith("-")) {
                return nowNanos - Durations.parse(value.substring(1)).toNanos();
            }
            if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
                return Long.parseLong(value);
            }
            Instant instant = Instant.parse(value);
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
        } catch (DateTimeParseException | ArithmeticException | IllegalArgumentException e) {
            throw new IllegalArgumentException(parameter + " '" + text + "' is not a time: give an instant like"
                + " 2026-12-01T10:00:00Z, epoch nanoseconds, or a duration ago like -10m", e);
        }
    }

    /** Whether the query names nothing but time (or nothing at all). */
    boolean onlyTime() {
        return type == null && key == null && tags.isEmpty() && fields.isEmpty();
    }

    /** The query as {@code type=1 tag=vip ...}, for messages. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (type != null) {
            parts.add("type=" + Integer.toUnsignedString(type));
        }
        if (key != null) {
            parts.add("key=" + key);
        }
        tags.forEach(tag -> parts.add("tag=" + tag));
        fields.forEach(field -> parts.add("field " + field.asTag()));
        if (from != Long.MIN_VALUE) {
            parts.add("from=" + from);
        }
        if (to != Long.MAX_VALUE) {
            parts.add("to=" + to);
        }
        return parts.isEmpty() ? "every event" : String.join(" ", parts);
    }
}
