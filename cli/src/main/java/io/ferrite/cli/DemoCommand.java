package io.ferrite.cli;

import io.ferrite.cli.load.LoadConfig;
import io.ferrite.cli.load.LoadGenerator;
import io.ferrite.cli.load.Summary;
import io.ferrite.client.ClientConfig;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Durations;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.engine.EngineMetrics;
import io.ferrite.pipeline.Pipeline;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.Stages;
import io.ferrite.transport.node.FerriteNode;
import io.ferrite.transport.server.FerriteServer;
import io.ferrite.transport.server.ServerConfig;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * {@code ferrite demo}: a server in this process (ephemeral port, temporary journal) and the load
 * generator against it over loopback TCP, in two phases — as fast as ACKs come back, then a fixed
 * rate — each with the client's ACK latency and the engine's per-stage latency, and a line on what
 * the numbers mean. Cleans up after itself.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run a server in-process and drive it over loopback TCP: first as fast as it ACKs, then at a"
        + " fixed rate; print throughput and latency of each phase, and what they mean."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "10", description = "Both phases together, split evenly (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--rate", defaultValue = "100000", description = "Events per second of the fixed-rate phase (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--connections", defaultValue = "1", description = "Client connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--size", defaultValue = "64", description = "Payload bytes (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--durability", defaultValue = "async", description = "async | sync | memory (default ${DEFAULT-VALUE}).")
    String durability;

    @Option(names = "--admin-port", defaultValue = "0",
        description = "Admin port of the demo's server, with the live dashboard (default ${DEFAULT-VALUE}: any free port).")
    int adminPort;

    @Option(names = "--pipeline", description = "Run this pipeline file's stages (e.g. examples/pipeline.yaml) instead of"
        + " one stage that counts.")
    Path pipelineFile;

    @Option(names = "--warmup", defaultValue = "2s",
        description = "Each phase starts with this long of sending that is checked but not counted: the JIT compiling"
            + " the path, the stages catching up with the phase before (default ${DEFAULT-VALUE}; 0s for none).")
    String warmup;

    @Option(names = "--linger", defaultValue = "0s",
        description = "Keep the server up this long after the phases, to look at the dashboard (e.g. 60s; default ${DEFAULT-VALUE}).")
    String linger;

    @Spec
    CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        if (seconds < 2 || connections < 1 || size < 0 || rate < 1) {
            throw new IllegalArgumentException("--seconds must be >= 2, --connections and --rate >= 1, --size >= 0");
        }
        out = spec.commandLine().getOut();
        // the report is the output: the server's INFO lines would interleave with it (set before
        // the first logger is made, which is the engine's, below)
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty(
            "org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        Durability mode = RunCommand.parseDurability(durability);
        Duration lingerFor = RunCommand.flag("--linger", linger, Durations::parse);
        Duration warmupFor = RunCommand.flag("--warmup", warmup, Durations::parse);
        if (adminPort < 0 || adminPort > 65_535) {
            throw new IllegalArgumentException("--admin-port must be 0..65535 (0 = any free port), was " + adminPort);
        }
        Path journal = Files.createTempDirectory("ferrite-demo-");
        List<Phase> phases = new ArrayList<>();
        EngineBuilder engine = Engine.builder().journal(journal).durability(mode);
        Path durableJournal = mode == Durability.MEMORY ? null : journal;
        List<Stages.Built> pipeline = Stages.build(pipelineFile == null ? defaultPipeline(durableJournal != null)
            : PipelineFile.read(pipelineFile), Stages.loader(List.of()), durableJournal);
        Stages.addTo(engine, pipeline);
        FerriteNode.Builder builder = FerriteNode.builder(engine).server(ServerConfig.builder().port(0)).admin(adminPort);
        if (durableJournal != null) {
            QueryRoutes.addTo(builder, durableJournal);
        }
        WindowRoutes.addTo(builder, Stages.windowStages(pipeline));
        try (FerriteNode node = builder.start()) {
            Stages.registerInto(node.engine().metricRegistry(), pipeline);
            Stages.connect(pipeline, node.engine());
            if (pipelineFile != null) {
                say("pipeline %s: %d stages", pipelineFile, pipeline.size());
            }
            FerriteServer server = node.server();
            say("ferrite demo: server on 127.0.0.1:%d transport=%s durability=%s journal=%s, %d CPUs",
                server.port(), server.transport().cliName(), mode.name().toLowerCase(Locale.ROOT), journal,
                Runtime.getRuntime().availableProcessors());
            say("%d connection(s), %d-byte payloads, every event journaled and deduplicated by eventId before its ACK",
                connections, size);
            say("live dashboard: http://127.0.0.1:%d/dashboard (also /status, /metrics)%s", node.adminPort(),
                lingerFor.isZero() ? "; --linger 60s keeps it up after the run" : "");
            if (durableJournal != null && !Stages.indexStages(pipeline).isEmpty()) {
                say("queries: bin/ferrite query --journal %s --key 7, or http://127.0.0.1:%d/query?key=7", journal,
                    node.adminPort());
            }
            if (!Stages.windowStages(pipeline).isEmpty()) {
                say("windows: http://127.0.0.1:%d/windows (events per key and second, the busiest keys)", node.adminPort());
            }
            int firstSeconds = seconds / 2;
            phases.add(runPhase(node, "1. maximum throughput", 0, firstSeconds, warmupFor,
                "as fast as ACKs return, " + LoadConfig.DEFAULT_WINDOW + " events in flight per connection"));
            phases.add(runPhase(node, "2. fixed rate", rate, seconds - firstSeconds, warmupFor,
                String.format(Locale.ROOT, "%,d events/s, paced; latency from each event's scheduled send time", rate)));
            if (!lingerFor.isZero()) {
                say("");
                say("the server stays up for %d s: http://127.0.0.1:%d/dashboard", lingerFor.toSeconds(), node.adminPort());
                Thread.sleep(lingerFor.toMillis()); // the point of --linger: time for a person to look
            }
        } finally {
            deleteRecursively(journal);
        }
        report(phases);
        return phases.stream().allMatch(Phase::complete) ? 0 : 1;
    }

    /** Without --pipeline: one stage that counts, one-second windows per key, and (with a journal) the query index. */
    private static Pipeline defaultPipeline(boolean durable) {
        return PipelineFile.parse("demo", """
            name: demo
            stages:
              - name: count
                use: discard
              - name: per-key
                use: window
                with: {group-by: key, size: 1s, grace: 200ms, emit: log}
            """ + (durable ? """
              - name: index
                use: index
            """ : ""));
    }

    /**
     * Runs one phase: {@code warmupFor} of sending that is checked but left out of the client's
     * figures and of the engine's (their "before" is taken when it ends), then {@code phaseSeconds}
     * measured.
     */
    private Phase runPhase(FerriteNode node, String name, int eventsPerSecond, int phaseSeconds, Duration warmupFor,
                           String what) throws Exception {
        say("");
        say("%s (%d s): %s", name, phaseSeconds, what);
        long warmupNanos = warmupFor.toNanos();
        if (warmupNanos > 0) {
            say("  the first %s is warm-up: sent and checked, not counted", warmup);
        }
        long events = eventsPerSecond == 0 ? Long.MAX_VALUE / 4
            : Math.round(eventsPerSecond * (phaseSeconds + warmupNanos / 1e9));
        LoadGenerator generator = new LoadGenerator(LoadConfig.of(
            ClientConfig.builder("127.0.0.1", node.server().port()).clientName("ferrite-demo").build(),
            events, eventsPerSecond, size, connections).withWarmup(warmupFor));
        AtomicReference<EngineMetrics> before = new AtomicReference<>(node.engine().metrics());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        if (warmupNanos > 0) {
            timer.schedule(() -> before.set(node.engine().metrics()), warmupNanos, TimeUnit.NANOSECONDS);
        }
        if (eventsPerSecond == 0) {
            timer.schedule(generator::stop, warmupNanos + TimeUnit.SECONDS.toNanos(phaseSeconds), TimeUnit.NANOSECONDS);
        }
        Summary summary;
        try {
            summary = generator.run(progress -> say("  %s", progress.line()));
        } finally {
            timer.shutdownNow();
        }
        return new Phase(name, summary, before.get(), node.engine().metrics());
    }

    private void report(List<Phase> phases) {
        say("");
        say("%-22s %12s %9s %9s %9s %9s   %s", "phase", "events/s", "p50 µs", "p99 µs", "p99.9 µs", "max µs",
            "engine: publish -> stage handled, p50 / p99 µs");
        for (Phase phase : phases) {
            Summary client = phase.summary();
            StringBuilder engine = new StringBuilder();
            for (int k = 0; k < phase.after().stages().size(); k++) {
                Histogram latency = phase.after().stages().get(k).latency().copy();
                latency.subtract(phase.before().stages().get(k).latency());
                engine.append(String.format(Locale.ROOT, "%s %.1f / %.1f  ", phase.after().stages().get(k).name(),
                    latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3));
            }
            say("%-22s %,12d %9d %9d %9d %9d   %s", phase.name(), client.rate(), client.p50Micros(), client.p99Micros(),
                client.p999Micros(), client.maxMicros(), engine.toString().trim());
        }
        EngineMetrics last = phases.getLast().after();
        say("journaled=%d duplicates=%d backPressured=%d", last.published(), last.duplicates(), last.backPressured());
        say("");
        say("What the numbers mean:");
        say("- events/s: events ACKed per second: each was deduplicated and written to the journal first.");
        say("  Each phase's warm-up (--warmup) is left out of every figure: the first seconds of a JVM run the");
        say("  code interpreted while the JIT compiles it (bin/ferrite aot shortens that).");
        say("- p50 ... max: the client's time from send (phase 2: from when the event was due) to its ACK, over");
        say("  loopback TCP. In phase 1 it is mostly waiting behind the others in flight: throughput, not latency.");
        say("  Phase 2 is the latency figure: the engine is not saturated, and a stall is charged to every event");
        say("  it delayed (coordinated omission corrected).");
        say("- engine: from the event entering the journal to the stage's handler running it, on the engine's");
        say("  own clock; the ACK does not wait for stages (asynchronous durability).");
        say("- Client, server and journal share this machine's CPUs; on 2 cores, p99 includes time when both are busy.");
        say("  Benchmarks beside peers (Chronicle, Netty, Kafka, Disruptor): bin/ferrite bench --suite quick.");
        out.flush();
    }

    private void say(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** One phase's client summary and the engine's counters around it. */
    private record Phase(String name, Summary summary, EngineMetrics before, EngineMetrics after) {
        boolean complete() {
            return summary.errors() == 0 && summary.acked() + summary.rejected() == summary.sent();
        }
    }
}
