package io.ferrite.pipeline.windows;

import io.ferrite.engine.Durations;
import io.ferrite.pipeline.PipelineException;
import io.ferrite.pipeline.StageSpec;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A window stage's settings ({@code use: window}, {@code with:} of the pipeline file):
 * <pre>
 * with:
 *   group-by: key          # key (default) | type
 *   size: 10s              # the window's length
 *   slide: 10s             # how far each window starts after the last: = size (default) tumbling, less: sliding
 *   grace: 2s              # how late (behind the newest timestamp seen) an event may come and still count (default 0)
 *   field: amount          # a JSON payload field: sum, min, max, mean (optional; else they count)
 *   percentiles: true      # p50/p95/p99 of the field per group and window (HdrHistogram; default false)
 *   max-groups: 100000     # groups kept apart at most; the rest are counted together as the group "other"
 *   emit: windows.jsonl    # where closed windows go: a file (JSON lines), log, kafka:HOST:PORT/TOPIC,
 *                          # or type:N (journaled as events of type N, for the stages after)
 * </pre>
 *
 * <p>Thread-safety: immutable.
 */
public record WindowSpec(String name, boolean byKey, long sizeNanos, long slideNanos, long graceNanos, String field,
                         boolean percentiles, int maxGroups, String emit, String where) {
    private static final Set<String> OPTIONS = Set.of("group-by", "size", "slide", "grace", "field", "percentiles",
        "max-groups", "emit");

    /** Panes (of one slide each) per window. */
    public int panesPerWindow() {
        return (int) (sizeNanos / slideNanos);
    }

    /** Reads a stage's {@code with:}; every mistake names the stage's line and the option. */
    public static WindowSpec of(StageSpec stage) {
        Map<String, String> options = stage.options();
        for (String option : options.keySet()) {
            if (!OPTIONS.contains(option)) {
                throw error(stage, option, "unknown option; a window takes " + new TreeSet<>(OPTIONS));
            }
        }
        String groupBy = options.getOrDefault("group-by", "key");
        if (!groupBy.equals("key") && !groupBy.equals("type")) {
            throw error(stage, "group-by", "must be key or type, got '" + groupBy + "'");
        }
        if (!options.containsKey("size")) {
            throw error(stage, "size", "missing: how long each window is (e.g. 10s)");
        }
        long size = duration(stage, "size", options.get("size"));
        long slide = options.containsKey("slide") ? duration(stage, "slide", options.get("slide")) : size;
        long grace = options.containsKey("grace") ? duration(stage, "grace", options.get("grace")) : 0;
        if (size <= 0 || slide <= 0 || grace < 0) {
            throw error(stage, size <= 0 ? "size" : slide <= 0 ? "slide" : "grace", "must be more than 0");
        }
        if (slide > size || size % slide != 0) {
            throw error(stage, "slide", "must divide size (size " + Duration.ofNanos(size) + ", slide "
                + Duration.ofNanos(slide) + ")");
        }
        if (size / slide > 64) {
            throw error(stage, "slide", "a window may span 64 slides at most, this one spans " + size / slide);
        }
        String percentiles = options.getOrDefault("percentiles", "false");
        if (!percentiles.equals("true") && !percentiles.equals("false")) {
            throw error(stage, "percentiles", "must be true or false, got '" + percentiles + "'");
        }
        if (percentiles.equals("true") && !options.containsKey("field")) {
            throw error(stage, "percentiles", "needs a field: the percentiles are of its values");
        }
        int maxGroups;
        try {
            maxGroups = Integer.parseInt(options.getOrDefault("max-groups", "100000").replace("_", ""));
        } catch (NumberFormatException e) {
            throw error(stage, "max-groups", "must be a whole number, got '" + options.get("max-groups") + "'");
        }
        if (maxGroups < 1 || maxGroups > 2_000_000) {
            throw error(stage, "max-groups", "must be 1..2000000, got " + maxGroups);
        }
        String emit = options.getOrDefault("emit", "log");
        if (!emit.equals("log") && !emit.startsWith("kafka:") && !emit.startsWith("type:") && emit.contains(":")
            && !emit.startsWith("file:")) {
            throw error(stage, "emit", "must be a file, log, kafka:HOST:PORT/TOPIC or type:N, got '" + emit + "'");
        }
        if (emit.startsWith("kafka:") && !emit.substring(6).matches("[^/\\s]+:\\d+/[A-Za-z0-9._-]+")) {
            throw error(stage, "emit", "kafka:HOST:PORT/TOPIC, e.g. kafka:127.0.0.1:9092/windows, got '" + emit + "'");
        }
        if (emit.startsWith("type:") && !emit.substring(5).matches("\\d{1,10}")) {
            throw error(stage, "emit", "type:N with N an event type, got '" + emit + "'");
        }
        return new WindowSpec(stage.name(), groupBy.equals("key"), size, slide, grace, options.get("field"),
            percentiles.equals("true"), maxGroups, emit, stage.where());
    }

    private static long duration(StageSpec stage, String option, String text) {
        try {
            return Durations.parse(text).toNanos();
        } catch (IllegalArgumentException e) {
            throw error(stage, option, "must be a duration like 500ms, 10s, 5m, got '" + text + "'");
        }
    }

    private static PipelineException error(StageSpec stage, String option, String message) {
        return new PipelineException(stage.where() + ": stage " + stage.name() + ": with." + option + ": " + message);
    }
}
