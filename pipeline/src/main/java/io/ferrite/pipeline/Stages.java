package io.ferrite.pipeline;

import io.ferrite.engine.Durations;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;
import io.ferrite.engine.metrics.Metric;
import io.ferrite.engine.metrics.MetricRegistry;
import io.ferrite.pipeline.actions.ActionSpec;
import io.ferrite.pipeline.actions.ActionStage;
import io.ferrite.pipeline.index.IndexStage;
import io.ferrite.pipeline.windows.WindowSpec;
import io.ferrite.pipeline.windows.WindowStage;
import io.ferrite.pipeline.lanes.LaneSpec;
import io.ferrite.pipeline.lanes.PriorityLanes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link Pipeline} into an engine's stages: each {@link StageSpec} becomes its handler —
 * a built-in, or a user class from the stage jars — behind its {@link RoutedStage}.
 * <ul>
 *   <li>{@code discard}: takes the events and does nothing (what a stage costs, nothing more);</li>
 *   <li>{@code log}: logs one line every {@code with: {every: N}} matched events (default 1000):
 *       index, type, key, priority, payload size, and with {@code show: STAGE} what that enrichment
 *       stage found;</li>
 *   <li>{@code enrich}: {@link EnrichStage}.</li>
 * </ul>
 * A user class implements {@link EventHandler} and has a public constructor taking the stage's
 * options ({@code Map<String, String>}) or none.
 *
 * <p>Thread-safety: stateless; the stages it makes run on their stage threads.
 */
public final class Stages {
    /** The built-in stages' names. */
    public static final List<String> BUILT_IN = List.of("discard", "log", "enrich", "index", "window");
    /** The built-in stage that keeps the query index ({@link IndexStage}). */
    public static final String INDEX = "index";
    /** The built-in stage that keeps windowed aggregates ({@link WindowStage}). */
    public static final String WINDOW = "window";
    /** What a stage that declares {@code actions:} uses. */
    public static final String ACTIONS = "actions";
    private static final Logger LOG = LoggerFactory.getLogger(Stages.class);

    /** A stage ready for an engine. */
    public record Built(StageSpec spec, RoutedStage stage) {
    }

    private Stages() {
    }

    /**
     * A class loader for user stages in {@code jars} (none: this module's own loader).
     *
     * @throws PipelineException naming a jar that is not there
     */
    public static ClassLoader loader(List<Path> jars) {
        if (jars.isEmpty()) {
            return Stages.class.getClassLoader();
        }
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) {
                throw new PipelineException("--stage-jar " + jar + ": no such file");
            }
            try {
                urls.add(jar.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new PipelineException("--stage-jar " + jar + ": " + e.getMessage(), e);
            }
        }
        return new URLClassLoader("ferrite-stages", urls.toArray(URL[]::new), Stages.class.getClassLoader());
    }

    /**
     * Makes every stage of {@code pipeline}.
     *
     * @throws PipelineException naming the stage's line when its class cannot be loaded or made
     */
    public static List<Built> build(Pipeline pipeline, ClassLoader loader) {
        return build(pipeline, loader, null);
    }

    /**
     * As {@link #build(Pipeline, ClassLoader)}, for a durable server's journal in {@code
     * journalDirectory}: action stages keep their ledgers of completed actions in its {@code state/},
     * index stages their index in its {@code index/}. Null (a MEMORY engine): no ledgers, no index.
     */
    public static List<Built> build(Pipeline pipeline, ClassLoader loader, Path journalDirectory) {
        Path stateDirectory = journalDirectory == null ? null : journalDirectory.resolve("state");
        List<Built> built = new ArrayList<>();
        Path directory = Path.of(pipeline.source()).toAbsolutePath().getParent(); // relative paths start here
        Marks marks = Marks.of(pipeline.policies());
        for (StageSpec spec : pipeline.stages()) {
            EventHandler handler = spec.use().equals(ACTIONS) ? actionStage(spec, pipeline, stateDirectory)
                : spec.use().equals(INDEX) ? indexStage(spec, marks, journalDirectory)
                : spec.use().equals(WINDOW) ? new WindowStage(WindowSpec.of(spec), journalDirectory, directory)
                : handler(spec, loader, directory);
            if (spec.lanes() != null) {
                handler = new PriorityLanes(spec.name(), spec.lanes(), handler);
            }
            RoutedStage routed = new RoutedStage(spec.route(), marks.tagBits(spec.tags()), marks.routeBit(spec.name()), handler);
            if (handler instanceof WindowStage window) {
                window.routeFilter(routed::sees); // a rebuild after a restart reads the journal itself
            }
            built.add(new Built(spec, routed));
        }
        return built;
    }

    /** Adds the stages, in order, to {@code engine}. */
    public static EngineBuilder addTo(EngineBuilder engine, List<Built> stages) {
        stages.forEach(stage -> engine.stage(stage.spec().name(), stage.stage()));
        return engine;
    }

    /** The enrichment stages among {@code stages}. */
    public static List<EnrichStage> enrichStages(List<Built> stages) {
        return stages.stream().map(stage -> stage.stage().handler()).filter(EnrichStage.class::isInstance)
            .map(EnrichStage.class::cast).toList();
    }

    /** Adds each route's figures to {@code registry} (events matched and passed over), and each cache's. */
    public static void registerInto(MetricRegistry registry, List<Built> stages) {
        for (EnrichStage cache : enrichStages(stages)) {
            registry.add(Metric.counter("ferrite_cache_hits", "Enrichment cache hits", () -> cache.stats().hitCount())
                .withLabel("stage", cache.name()));
            registry.add(Metric.counter("ferrite_cache_misses", "Enrichment cache misses", () -> cache.stats().missCount())
                .withLabel("stage", cache.name()));
            registry.add(Metric.counter("ferrite_cache_evictions", "Enrichment cache evictions",
                () -> cache.stats().evictionCount()).withLabel("stage", cache.name()));
            registry.add(Metric.counter("ferrite_cache_load_failures", "Enrichment lookups whose source failed or timed out",
                cache::failures).withLabel("stage", cache.name()));
        }
        actionStages(stages).forEach(actions -> actions.registerInto(registry));
        for (WindowStage window : windowStages(stages)) {
            String name = window.name();
            registry.add(Metric.counter("ferrite_window_events", "Events a window stage counted", window::events)
                .withLabel("stage", name));
            registry.add(Metric.counter("ferrite_window_late_events", "Events that came after every window they belong to"
                + " had closed (their timestamp behind the newest seen by more than the grace)", window::late)
                .withLabel("stage", name));
            registry.add(Metric.counter("ferrite_windows_closed", "Group windows closed and emitted", window::closed)
                .withLabel("stage", name));
            registry.add(Metric.gauge("ferrite_window_groups", "Groups a window stage keeps apart now", window::groups)
                .withLabel("stage", name));
            registry.add(Metric.counter("ferrite_window_overflowed_events", "Events counted in the group \"other\" because"
                + " max-groups were kept apart already", window::overflowed).withLabel("stage", name));
        }
        for (IndexStage index : indexStages(stages)) {
            registry.add(Metric.counter("ferrite_index_events", "Events the query index took in", index::indexed)
                .withLabel("stage", index.name()));
            registry.add(Metric.gauge("ferrite_index_keys", "Distinct keys in the query index", index::keys)
                .withLabel("stage", index.name()));
            registry.add(Metric.counter("ferrite_index_caught_up_events",
                "Events the index read from the journal after a restart (its sets lagged its checkpoint)", index::caughtUp)
                .withLabel("stage", index.name()));
            registry.add(Metric.counter("ferrite_index_untagged_fields",
                "Payload field values not made tags (longer than 128 bytes, or the field has 4096 values already)",
                index::untagged).withLabel("stage", index.name()));
        }
        for (Built stage : stages) {
            RoutedStage routed = stage.stage();
            registry.add(Metric.counter("ferrite_route_matched", "Events a stage's route sent to it", routed::matched)
                .withLabel("stage", stage.spec().name()));
            registry.add(Metric.counter("ferrite_route_passed", "Events a stage's route passed over", routed::passed)
                .withLabel("stage", stage.spec().name()));
            PriorityLanes lanes = routed.lanes();
            if (lanes != null) {
                registerLanes(registry, stage.spec().name(), lanes);
            }
        }
    }

    private static void registerLanes(MetricRegistry registry, String stage, PriorityLanes lanes) {
        for (int lane = 0; lane < LaneSpec.LANES; lane++) {
            int which = lane;
            String label = stage + "/" + lane; // one label per metric: the stage and the lane's priority
            registry.add(Metric.gauge("ferrite_lane_depth", "Events waiting in a priority lane", () -> lanes.depth(which))
                .withLabel("lane", label));
            registry.add(Metric.counter("ferrite_lane_handled", "Events a priority lane handed to its stage",
                () -> lanes.handled(which)).withLabel("lane", label));
        }
        registry.add(Metric.counter("ferrite_lane_full_waits", "Times a stage waited because its lanes were full",
            lanes::fullWaits).withLabel("stage", stage));
    }

    private static ActionStage actionStage(StageSpec spec, Pipeline pipeline, Path stateDirectory) {
        if (spec.actions().isEmpty()) {
            throw new PipelineException(spec.where() + ": stage " + spec.name() + ": use: actions needs actions: [NAMES]");
        }
        List<ActionSpec> actions = spec.actions().stream().map(name -> pipeline.actions().stream()
            .filter(action -> action.name().equals(name)).findFirst().orElseThrow()).toList();
        return new ActionStage(spec.name(), actions, (int) option(spec, "max-parallelism", 100), Duration.ofSeconds(30),
            stateDirectory, option(spec, "remember", 1 << 20));
    }

    private static IndexStage indexStage(StageSpec spec, Marks marks, Path journalDirectory) {
        if (journalDirectory == null) {
            throw new PipelineException(spec.where() + ": stage " + spec.name() + ": use: index needs a durable journal"
                + " (ferrite run --durability async or sync): the index points into it");
        }
        if (!spec.route().equals(Route.ALL) || !spec.tags().isEmpty() || spec.lanes() != null) {
            throw new PipelineException(spec.where() + ": stage " + spec.name() + ": use: index takes every journaled"
                + " event in order, so it has no route, tag condition or lanes");
        }
        String fields = spec.options().getOrDefault("fields", "");
        List<String> paths = fields.isBlank() ? List.of()
            : java.util.Arrays.stream(fields.split(",")).map(String::strip).filter(path -> !path.isEmpty()).toList();
        return new IndexStage(spec.name(), journalDirectory, marks, paths, durationOption(spec, "flush", "250ms"));
    }

    /** The window stages among {@code stages}. */
    public static List<WindowStage> windowStages(List<Built> stages) {
        return stages.stream().map(stage -> stage.stage().handler()).filter(WindowStage.class::isInstance)
            .map(WindowStage.class::cast).toList();
    }

    /** Once the engine is built: the stages that publish into it (windows with {@code emit: type:N}) get it. */
    public static void connect(List<Built> stages, io.ferrite.engine.Engine engine) {
        windowStages(stages).forEach(window -> window.publishInto(engine));
    }

    /** The index stages among {@code stages}. */
    public static List<IndexStage> indexStages(List<Built> stages) {
        return stages.stream().map(stage -> stage.stage().handler()).filter(IndexStage.class::isInstance)
            .map(IndexStage.class::cast).toList();
    }

    /** The action stages among {@code stages}. */
    public static List<ActionStage> actionStages(List<Built> stages) {
        return stages.stream().map(stage -> stage.stage().handler()).filter(ActionStage.class::isInstance)
            .map(ActionStage.class::cast).toList();
    }

    private static EventHandler handler(StageSpec spec, ClassLoader loader, Path directory) {
        return switch (spec.use()) {
            case "discard" -> (event, index, endOfBatch) -> { };
            case "log" -> logEvery(spec);
            case "enrich" -> new EnrichStage(spec, directory);
            default -> userStage(spec, loader);
        };
    }

    private static EventHandler logEvery(StageSpec spec) {
        long every = option(spec, "every", 1_000);
        Enrichments shown = spec.options().containsKey("show") ? Enrichments.of(spec.options().get("show")) : null;
        long[] seen = {0};
        return (EventView event, long index, boolean endOfBatch) -> {
            if (++seen[0] % every == 0) {
                LOG.info("{}: event #{} index={} type={} key={} priority={} payload={} B{}", spec.name(), seen[0], index,
                    event.type(), event.key(), event.priority(), event.payloadLength(),
                    shown == null ? "" : " enrichment=" + shown.get(index));
            }
        };
    }

    /** A stage's duration option ({@code with: {ttl: 5m}}), or {@code fallback}. */
    static Duration durationOption(StageSpec spec, String name, String fallback) {
        String text = spec.options().getOrDefault(name, fallback);
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new PipelineException(spec.where() + ": stage " + spec.name() + ": with." + name
                + " must be a duration like 500ms, 30s, 5m or 1h, got '" + text + "'", e);
        }
    }

    /** A stage's whole-number option of at least 1 ({@code with: {every: 1000}}), or {@code fallback}. */
    static long option(StageSpec spec, String name, long fallback) {
        String text = spec.options().get(name);
        if (text == null) {
            return fallback;
        }
        try {
            long value = Long.parseLong(text);
            if (value < 1) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new PipelineException(spec.where() + ": stage " + spec.name() + ": with." + name
                + " must be a whole number of at least 1, got '" + text + "'");
        }
    }

    private static EventHandler userStage(StageSpec spec, ClassLoader loader) {
        String where = spec.where() + ": stage " + spec.name() + ": use: ";
        Class<?> type;
        try {
            type = Class.forName(spec.use(), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new PipelineException(where + "no built-in stage or class '" + spec.use() + "'; the built-ins are "
                + String.join(", ", BUILT_IN) + ", and a class must be in a --stage-jar", e);
        }
        if (!EventHandler.class.isAssignableFrom(type)) {
            throw new PipelineException(where + spec.use() + " does not implement " + EventHandler.class.getName());
        }
        try {
            try {
                Constructor<?> withOptions = type.getConstructor(Map.class);
                return (EventHandler) withOptions.newInstance(spec.options());
            } catch (NoSuchMethodException noOptions) {
                return (EventHandler) type.getConstructor().newInstance();
            }
        } catch (NoSuchMethodException e) {
            throw new PipelineException(where + spec.use() + " needs a public constructor taking Map<String, String>"
                + " (the stage's options) or none", e);
        } catch (InvocationTargetException e) {
            throw new PipelineException(where + spec.use() + "'s constructor failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new PipelineException(where + "cannot make " + spec.use() + ": " + e, e);
        }
    }
}
