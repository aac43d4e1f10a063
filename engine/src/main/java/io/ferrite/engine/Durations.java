package io.ferrite.engine;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations people write in flags and files: {@code 500ms}, {@code 30s}, {@code 10m},
 * {@code 2h}. The one parser for the CLI, alert settings and pipeline files.
 *
 * <p>Thread-safety: stateless.
 */
public final class Durations {
    private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m|h)");

    private Durations() {
    }

    /** @throws IllegalArgumentException saying what is allowed when {@code text} is not such a duration */
    public static Duration parse(String text) {
        Matcher matcher = FORMAT.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException("duration '" + text + "' is not like 500ms, 30s, 10m or 2h");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }
}
