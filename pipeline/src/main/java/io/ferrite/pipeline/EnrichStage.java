package io.ferrite.pipeline;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;
import net.openhft.chronicle.map.ChronicleMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code use: enrich}: looks each event's key up in a source through a Caffeine cache and keeps what
 * it found for the stages after it ({@link Enrichments#of} this stage's name). Options:
 * <ul>
 *   <li>{@code http: http://host:port/path/{key}} — GET; 200: the body; 404: nothing (cached too);
 *       anything else, or no answer within {@code timeout}: nothing this time, not cached, counted;</li>
 *   <li>or {@code file: PATH} — {@code key=value} lines, read at start;</li>
 *   <li>or {@code chronicle-map: PATH} — a persisted Chronicle Map of {@code Long} keys to
 *       {@code CharSequence} values that another process may keep up to date (see
 *       {@link #createTable}); a lookup reads the map's current value;</li>
 *   <li>{@code ttl} (default 5m), {@code max} entries (default 100000), {@code refresh} (reload an
 *       entry this old on its next use, in the background; default none), {@code timeout} (2s).</li>
 * </ul>
 * A hit allocates nothing: the stage probes with a reused key.
 *
 * <p>Thread-safety: {@link #onEvent} on the stage's thread; the stats and {@link #invalidate} from any.
 */
public final class EnrichStage implements EventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(EnrichStage.class);

    private final String name;
    private final Enrichments found;
    private final LoadingCache<Key, Optional<String>> cache;
    private final Key probe = new Key();
    private final Source source;
    private final LongAdder failures = new LongAdder();
    private final Recorder loadNanos = new Recorder(3_600_000_000_000L, 3);
    private final Histogram loads = new Histogram(3_600_000_000_000L, 3);
    private final String describe;
    /** The Chronicle Map source, closed with the stage; null for the others. */
    private ChronicleMap<Long, CharSequence> table;

    /** @param directory where relative {@code file:} and {@code chronicle-map:} paths start (the pipeline file's) */
    EnrichStage(StageSpec spec, Path directory) {
        this.name = spec.name();
        this.found = Enrichments.replace(spec.name()); // a new engine's indexes start again: no stale answers
        Map<String, String> options = spec.options();
        String where = spec.where() + ": stage " + spec.name() + ": ";
        Duration timeout = Stages.durationOption(spec, "timeout", "2s");
        Source source;
        long sources = java.util.stream.Stream.of("http", "file", "chronicle-map").filter(options::containsKey).count();
        if (sources != 1) {
            throw new PipelineException(where + "an enrich stage needs one source: with.http (a URL with {key}),"
                + " with.file (key=value lines) or with.chronicle-map (a persisted Chronicle Map)");
        } else if (options.containsKey("http")) {
            source = http(options.get("http"), timeout, where);
            describe = "http " + options.get("http");
        } else if (options.containsKey("file")) {
            source = file(directory.resolve(options.get("file")), where);
            describe = "file " + options.get("file");
        } else {
            ChronicleMap<Long, CharSequence> map = openTable(directory.resolve(options.get("chronicle-map")), where);
            table = map;
            source = key -> Optional.ofNullable(map.get(key)).map(CharSequence::toString);
            describe = "chronicle-map " + options.get("chronicle-map");
        }
        Caffeine<Object, Object> builder = Caffeine.newBuilder()
            .maximumSize(Stages.option(spec, "max", 100_000))
            .expireAfterWrite(Stages.durationOption(spec, "ttl", "5m"))
            .recordStats();
        if (options.containsKey("refresh")) {
            builder.refreshAfterWrite(Stages.durationOption(spec, "refresh", null));
        }
        this.source = source;
        this.cache = builder.build(key -> load(source, key.value)); // the loader serves refreshes
    }

    /** Where an enrichment comes from: a value, {@code Optional.empty()} for "none", or an exception (not cached). */
    @FunctionalInterface
    private interface Source {
        Optional<String> lookup(long key) throws Exception;
    }

    private Optional<String> load(Source source, long key) throws Exception {
        long start = System.nanoTime();
        try {
            return source.lookup(key);
        } catch (Exception e) {
            failures.increment();
            throw e;
        } finally {
            loadNanos.recordValue(Math.min(System.nanoTime() - start, 3_600_000_000_000L));
        }
    }

    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) {
        probe.value = event.key();
        Optional<String> value = cache.getIfPresent(probe); // counts the hit or the miss
        if (value == null) {
            try {
                value = load(source, event.key());
                cache.put(new Key(event.key()), value);
            } catch (Exception e) { // the source failed or timed out: nothing for this event, not cached
                value = Optional.empty();
            }
        }
        found.put(index, value.orElse(null));
    }

    @Override
    public void onClose() {
        if (table != null) {
            table.close();
        }
    }

    /**
     * Creates (or opens) a table for {@code chronicle-map:}: {@code Long} keys, text values of about
     * {@code averageValueBytes}, room for {@code entries}. The process that fills it keeps it open
     * and puts; the stage reads what is there when it misses its cache.
     */
    public static ChronicleMap<Long, CharSequence> createTable(Path file, long entries, int averageValueBytes)
        throws IOException {
        return ChronicleMap.of(Long.class, CharSequence.class).name("enrichment").entries(entries)
            .averageValueSize(averageValueBytes).createPersistedTo(file.toFile());
    }

    private static ChronicleMap<Long, CharSequence> openTable(Path file, String where) {
        if (!Files.isRegularFile(file)) {
            throw new PipelineException(where + "with.chronicle-map: no such file " + file + " (create it with"
                + " EnrichStage.createTable, see docs/pipelines.md)");
        }
        try {
            // An existing file brings its own layout; the sizes here only matter for a new one.
            ChronicleMap<Long, CharSequence> map = createTable(file, 1, 16);
            LOG.info("enrichment table {}: a Chronicle Map of {} keys", file, map.longSize());
            return map;
        } catch (IOException | RuntimeException e) {
            throw new PipelineException(where + "with.chronicle-map: cannot open " + file + " as a Chronicle Map of Long"
                + " to text: " + e.getMessage(), e);
        }
    }

    /** Forgets every cached entry, or those whose key's decimal form starts with {@code prefix}; how many. */
    public long invalidate(String prefix) {
        long before = cache.estimatedSize();
        if (prefix == null || prefix.isEmpty()) {
            cache.invalidateAll();
        } else {
            cache.asMap().keySet().removeIf(key -> Long.toString(key.value).startsWith(prefix));
        }
        return before - cache.estimatedSize();
    }

    /** Hits, misses, hit rate, evictions, failures, entries and load time p99, as one JSON object. */
    public synchronized String statsJson() {
        CacheStats stats = cache.stats();
        loads.add(loadNanos.getIntervalHistogram());
        return String.format(Locale.ROOT, "{\"stage\":\"%s\",\"source\":\"%s\",\"entries\":%d,\"hits\":%d,"
                + "\"misses\":%d,\"hitRate\":%.4f,\"evictions\":%d,\"loadFailures\":%d,\"loadP99Micros\":%.1f}",
            name, describe.replace("\"", "'"), cache.estimatedSize(), stats.hitCount(), stats.missCount(), stats.hitRate(),
            stats.evictionCount(), failures.sum(), loads.getTotalCount() == 0 ? 0 : loads.getValueAtPercentile(99) / 1e3);
    }

    public String name() {
        return name;
    }

    public CacheStats stats() {
        return cache.stats();
    }

    public long failures() {
        return failures.sum();
    }

    private static Source http(String template, Duration timeout, String where) {
        if (!template.contains("{key}") || !template.startsWith("http")) {
            throw new PipelineException(where + "with.http must be an http(s) URL containing {key}, got '" + template + "'");
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        return key -> {
            HttpRequest request = HttpRequest.newBuilder(URI.create(template.replace("{key}", Long.toString(key))))
                .timeout(timeout).GET().build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return Optional.of(response.body());
            }
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            throw new IOException("the source answered HTTP " + response.statusCode() + " for key " + key);
        };
    }

    private static Source file(Path path, String where) {
        Map<Long, String> table = new HashMap<>();
        try {
            int n = 0;
            for (String line : Files.readAllLines(path)) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int eq = line.indexOf('=');
                try {
                    table.put(Long.parseLong(line.substring(0, Math.max(0, eq)).strip()), line.substring(eq + 1).strip());
                } catch (NumberFormatException e) {
                    throw new PipelineException(where + "with.file " + path + ":" + n + ": expected 'KEY=VALUE' with a"
                        + " numeric key, got '" + line + "'");
                }
            }
        } catch (IOException e) {
            throw new PipelineException(where + "with.file: cannot read " + path + ": " + e, e);
        }
        LOG.info("enrichment table {}: {} keys", path, table.size());
        return key -> Optional.ofNullable(table.get(key));
    }

    /** A cache key; the stage's probe is changed in place, the keys stored are never changed. */
    private static final class Key {
        private long value;

        Key() {
        }

        Key(long value) {
            this.value = value;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && k.value == value;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(value * 0x9E3779B97F4A7C15L);
        }
    }
}
