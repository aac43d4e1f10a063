package io.ferrite.cli;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineMetrics;
import io.ferrite.client.ClientConfig;
import io.ferrite.cli.load.LoadConfig;
import io.ferrite.cli.load.LoadGenerator;
import io.ferrite.cli.load.Summary;
import io.ferrite.transport.node.FerriteNode;
import io.ferrite.transport.server.FerriteServer;
import io.ferrite.transport.server.ServerConfig;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ferrite demo}: a server in this process on an ephemeral port with a temporary journal,
 * driven by the load generator for a few seconds, live events/s and p99, then the final report.
 * Cleans up after itself.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a server in-process, drive load at it for a few seconds, print the report.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "10", description = "How long to drive load (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--connections", defaultValue = "1", description = "Client connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--size", defaultValue = "64", description = "Payload bytes (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--durability", defaultValue = "async", description = "async | sync | memory (default ${DEFAULT-VALUE}).")
    String durability;

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || connections < 1 || size < 0) {
            throw new IllegalArgumentException("--seconds and --connections must be >= 1, --size >= 0");
        }
        Durability mode = RunCommand.parseDurability(durability);
        Path journal = Files.createTempDirectory("ferrite-demo-");
        Summary summary;
        EngineMetrics metrics;
        try (FerriteNode node = FerriteNode.builder(Engine.builder().journal(journal).durability(mode)
                 .stage("count", (event, index, endOfBatch) -> { }))
                 .server(ServerConfig.builder().port(0)).start()) {
            FerriteServer server = node.server();
            Engine engine = node.engine();
            System.out.printf(Locale.ROOT, "ferrite demo: server on 127.0.0.1:%d transport=%s durability=%s journal=%s%n",
                server.port(), server.transport().cliName(), mode.name().toLowerCase(Locale.ROOT), journal);
            System.out.printf(Locale.ROOT, "driving %d connection(s) of %d-byte events as fast as they are ACKed for %d s%n",
                connections, size, seconds);
            LoadGenerator generator = new LoadGenerator(LoadConfig.of(
                ClientConfig.builder("127.0.0.1", server.port()).clientName("ferrite-demo").build(),
                Long.MAX_VALUE / 4, 0, size, connections));
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
            timer.schedule(generator::stop, seconds, TimeUnit.SECONDS);
            try {
                summary = generator.run(progress -> System.out.println("  " + progress.line()));
            } finally {
                timer.shutdownNow();
            }
            metrics = engine.metrics();
        } finally {
            deleteRecursively(journal);
        }
        System.out.println();
        System.out.println("client (ACK latency, from the load generator):");
        System.out.println("  " + summary.line());
        System.out.println("engine (publish -> handled, per stage):");
        for (EngineMetrics.Stage stage : metrics.stages()) {
            Histogram latency = stage.latency();
            System.out.printf(Locale.ROOT, "  %s events=%d p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f%n",
                stage.name(), stage.events(), latency.getValueAtPercentile(50) / 1e3,
                latency.getValueAtPercentile(99) / 1e3, latency.getValueAtPercentile(99.9) / 1e3,
                latency.getMaxValue() / 1e3);
        }
        System.out.printf(Locale.ROOT, "  published=%d duplicates=%d backPressured=%d%n", metrics.published(),
            metrics.duplicates(), metrics.backPressured());
        return summary.acked() + summary.rejected() == summary.sent() ? 0 : 1;
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
