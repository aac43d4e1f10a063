package io.ferrite.transport.observe;

import io.ferrite.engine.Engine;
import io.ferrite.engine.metrics.LatencyRecorder;
import io.ferrite.engine.metrics.LatencySummary;
import io.ferrite.engine.metrics.LatencyWindow;
import io.ferrite.engine.metrics.Metric;
import io.ferrite.engine.metrics.MetricRegistry;
import io.ferrite.engine.metrics.StageMetrics;
import io.ferrite.transport.server.ServerCounters;
import io.prometheus.metrics.model.registry.MultiCollector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Watches a running node: every interval (1 s by default) it takes a {@link StatusPoint} — rates
 * from counter deltas, latency percentiles over a sliding window of interval histograms (ACK
 * latency from every event loop, publish-to-handled per stage), lag, memory, CPU, disk — keeps the
 * newest in a bounded history, evaluates the {@link Alerts}, and derives recommendations and a
 * health score. Backs the admin port's {@code /status}, {@code /history}, {@code /alerts} and the
 * dashboard. Runs on its own daemon thread ({@code ferrite-observer}), off every hot path.
 *
 * <p>Thread-safety: thread-safe; readers get copies.
 */
public final class NodeObserver implements AutoCloseable {
    /** Samples in the latency window: 10 one-second intervals. */
    static final int WINDOW_INTERVALS = 10;

    private final Engine engine;
    private final ServerCounters server;
    private final MetricRegistry registry;
    private final Duration interval;
    private final int historySize;
    private final Alerts alerts;
    private final FileStore journalStore;
    private final Path journalDirectory;
    private final LatencyWindow ackWindow;
    private final LatencyWindow appendWindow;
    private final List<LatencyWindow> stageWindows = new ArrayList<>();
    private final List<StageMetrics> stages;
    private final ArrayDeque<StatusPoint> history = new ArrayDeque<>();
    private final ArrayDeque<Recommendations.Counters> counterHistory = new ArrayDeque<>();
    private final long startedMillis = System.currentTimeMillis();
    private final com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final Reports reports;
    private Thread thread;
    private volatile boolean running;

    /** Bytes of the journal's files (events/), as of the last sample; -1 without a journal. */
    private volatile long journalBytes = -1;
    private long lastNanos;
    private long lastAccepted;
    private long lastRefused;
    private long lastJournaled;
    private long lastCacheHits;
    private long lastCacheMisses;
    private long[] lastHandled;

    /**
     * @param interval    how often to sample
     * @param historySize samples kept for {@code /history}
     * @param rules       the alert rules
     * @param reportEvery how often to write a report ({@code reports/} in the journal directory); zero: never
     * @param reportsKept how many written reports to keep
     */
    public NodeObserver(Engine engine, ServerCounters server, Duration interval, int historySize, List<AlertRule> rules,
                        Duration reportEvery, int reportsKept) {
        if (interval.isNegative() || interval.isZero() || historySize < 2) {
            throw new IllegalArgumentException("observer interval must be positive and history at least 2, was "
                + interval + ", " + historySize);
        }
        this.engine = engine;
        this.server = server;
        this.registry = engine.metricRegistry();
        this.interval = interval;
        this.historySize = historySize;
        this.alerts = new Alerts(rules, 1_000);
        this.journalDirectory = engine.config().journalDirectory();
        this.journalStore = fileStore(journalDirectory);
        this.ackWindow = new LatencyWindow(server::ackLatencyRecorders, WINDOW_INTERVALS);
        List<LatencyRecorder> append = List.of(engine.appendLatency());
        this.appendWindow = new LatencyWindow(() -> append, WINDOW_INTERVALS);
        this.stages = engine.stageMetrics();
        for (StageMetrics stage : stages) {
            stageWindows.add(new LatencyWindow(() -> List.of(stage.latency()), WINDOW_INTERVALS));
        }
        this.lastHandled = new long[stages.size()];
        this.reports = reportEvery.isZero() ? null
            : new Reports(reportEvery.toMillis(), reportsKept, journalDirectory, System.currentTimeMillis());
        alerts.registerInto(registry);
        registry.add(Metric.gauge("ferrite_health_score", "0..100: 100 minus what firing alerts take off",
            this::healthScoreValue));
        int cpus = Runtime.getRuntime().availableProcessors(); // read once: in a container each call reads cgroup files
        registry.add(Metric.gauge("ferrite_cpus", "CPUs this process may use", () -> cpus));
        registry.add(Metric.gauge("ferrite_journal_available", "1 while the journal takes events, 0 while it refuses them",
            () -> engine.journalUnavailableReason() == null ? 1 : 0));
        if (journalStore != null) {
            registry.add(Metric.gauge("ferrite_journal_bytes", "Bytes of the journal's files (sampled every interval)",
                () -> journalBytes));
            registry.add(Metric.gauge("ferrite_journal_disk_free_bytes", "Usable bytes on the journal's file system",
                () -> latest().diskFreeBytes()));
            registry.add(Metric.gauge("ferrite_journal_disk_total_bytes", "Size of the journal's file system",
                () -> latest().diskTotalBytes()));
        }
        this.lastNanos = System.nanoTime();
        sample(); // a first point, so that /status answers at once
    }

    private static FileStore fileStore(Path directory) {
        if (directory == null) {
            return null;
        }
        try {
            return Files.getFileStore(directory);
        } catch (IOException e) {
            return null;
        }
    }

    /** Starts sampling every interval on a daemon thread. */
    public NodeObserver start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name("ferrite-observer").start(() -> {
            while (running) {
                LockSupport.parkNanos(interval.toNanos());
                if (running) {
                    sample();
                }
            }
        });
        return this;
    }

    /** Takes one sample now (the thread does this every interval; tests may call it). */
    public synchronized StatusPoint sample() {
        long nanos = System.nanoTime();
        double seconds = Math.max(1e-3, (nanos - lastNanos) / 1e9);
        lastNanos = nanos;
        ackWindow.sample();
        appendWindow.sample();
        stageWindows.forEach(LatencyWindow::sample);
        for (LatencySummary latency : registry.latencies()) {
            latency.window().sample();
        }

        long accepted = server.accepted();
        long refused = server.rejected();
        long journaled = value("ferrite_events_journaled");
        double acceptedRate = (accepted - lastAccepted) / seconds;
        double refusedRate = (refused - lastRefused) / seconds;
        double journaledRate = (journaled - lastJournaled) / seconds;
        long answered = (accepted - lastAccepted) + (refused - lastRefused);
        double errorRate = answered == 0 ? 0 : (double) (refused - lastRefused) / answered;
        lastAccepted = accepted;
        lastRefused = refused;
        lastJournaled = journaled;
        long cacheHits = sum("ferrite_cache_hits");
        long cacheMisses = sum("ferrite_cache_misses");
        long lookups = (cacheHits - lastCacheHits) + (cacheMisses - lastCacheMisses);
        double cacheHitRate = lookups == 0 ? -1 : (double) (cacheHits - lastCacheHits) / lookups;
        lastCacheHits = cacheHits;
        lastCacheMisses = cacheMisses;

        List<StatusPoint.Stage> stageStatus = new ArrayList<>(stages.size());
        for (int k = 0; k < stages.size(); k++) {
            long handled = stages.get(k).events().getAcquire();
            stageStatus.add(new StatusPoint.Stage(stages.get(k).stage(), Math.max(0, journaled - handled),
                (handled - lastHandled[k]) / seconds, stageWindows.get(k).percentileNanos(99)));
            lastHandled[k] = handled;
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long free = -1;
        long total = -1;
        if (journalStore != null) {
            try {
                free = journalStore.getUsableSpace();
                total = journalStore.getTotalSpace();
            } catch (IOException e) {
                // leave -1: the disk figures are unknown this time
            }
        }
        StatusPoint point = new StatusPoint(System.currentTimeMillis(), acceptedRate, refusedRate, journaledRate,
            errorRate, ackWindow.percentileNanos(50), ackWindow.percentileNanos(99), ackWindow.percentileNanos(99.9),
            ackWindow.maxNanos(), List.copyOf(stageStatus), server.connectionsOpen(), heap.getUsed(), heap.getMax(),
            Math.max(0, os.getProcessCpuLoad()), free, total, engine.journalUnavailableReason(), cacheHitRate);
        journalBytes = journalBytes();
        history.addLast(point);
        counterHistory.addLast(counters());
        while (history.size() > historySize) {
            history.removeFirst();
            counterHistory.removeFirst();
        }
        alerts.evaluate(point);
        if (reports != null) {
            reports.sampled(this, point, seconds);
        }
        return point;
    }

    private long journalBytes() {
        if (journalDirectory == null) {
            return -1;
        }
        try (Stream<Path> files = Files.walk(journalDirectory.resolve("events"))) {
            return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1; // a file rolled away while walking: known again next second
        }
    }

    /** Bytes of the journal's files as of the last sample; -1 without a journal. */
    public long journalSizeBytes() {
        return journalBytes;
    }

    private Recommendations.Counters counters() {
        return new Recommendations.Counters(value("ferrite_dedup_evicted{reason=\"count\"}"),
            value("ferrite_dedup_capacity_ids"), server.backPressured(), Runtime.getRuntime().availableProcessors(),
            engine.config().idle());
    }

    /** The sum of every registered metric named {@code name} (all its labels). */
    private long sum(String name) {
        long total = 0;
        for (Metric metric : registry.metrics()) {
            if (metric.name().equals(name)) {
                total += metric.read();
            }
        }
        return total;
    }

    /** The current value of the registered metric {@code displayName}, or 0 when there is none. */
    private long value(String displayName) {
        for (Metric metric : registry.metrics()) {
            if (metric.displayName().equals(displayName)) {
                return metric.read();
            }
        }
        return 0;
    }

    public synchronized StatusPoint latest() {
        return history.getLast();
    }

    /** The newest {@code limit} points, oldest first. */
    public synchronized List<StatusPoint> history(int limit) {
        List<StatusPoint> all = new ArrayList<>(history);
        return List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size()));
    }

    public Alerts alerts() {
        return alerts;
    }

    /** The newest periodic report as JSON, or null before the first one (or when reports are off). */
    public String latestReportJson() {
        return reports == null ? null : reports.latestJson();
    }

    /** The server's counters. */
    public ServerCounters server() {
        return server;
    }

    /** Advice from the last minute of samples. */
    public synchronized List<Recommendations.Advice> recommendations() {
        int span = (int) Math.min(history.size(), Math.max(2, 60_000 / interval.toMillis()));
        List<StatusPoint> points = new ArrayList<>(history).subList(history.size() - span, history.size());
        List<Recommendations.Counters> counts = new ArrayList<>(counterHistory);
        return Recommendations.from(points, counts.get(counts.size() - span), counts.getLast());
    }

    /** 100 minus 40 per critical, 20 per high, 10 per medium, 5 per low alert firing; never below 0. */
    public int healthScore() {
        int score = 100;
        for (Alerts.Firing firing : alerts.firing()) {
            score -= switch (firing.rule().severity()) {
                case CRITICAL -> 40;
                case HIGH -> 20;
                case MEDIUM -> 10;
                case LOW -> 5;
            };
        }
        return Math.max(0, score);
    }

    private long healthScoreValue() {
        return healthScore();
    }

    /** The latency windows as Prometheus summaries, for {@code /metrics}. */
    public MultiCollector latencyCollector() {
        return new LatencyCollector(ackWindow, appendWindow, stages.stream().map(StageMetrics::stage).toList(),
            stageWindows, registry);
    }

    /** The ACK latency window (for percentiles beyond those in each point). */
    public LatencyWindow ackWindow() {
        return ackWindow;
    }

    public Duration interval() {
        return interval;
    }

    public long startedMillis() {
        return startedMillis;
    }

    public Path journalDirectory() {
        return journalDirectory;
    }

    /** Empties the latency windows ({@code DELETE /metrics}); counters and history stay. */
    public synchronized void resetWindows() {
        ackWindow.reset();
        appendWindow.reset();
        stageWindows.forEach(LatencyWindow::reset);
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            LockSupport.unpark(thread);
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
