package io.ferrite.cli;

import io.ferrite.affinity.CpuLayout;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.engine.IdleKind;
import io.ferrite.transport.server.AdminServer;
import io.ferrite.transport.server.BackpressurePolicy;
import io.ferrite.transport.server.FerriteServer;
import io.ferrite.transport.server.ServerConfig;
import io.ferrite.transport.server.TransportKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ferrite run}: the standalone server. Prints one line when ready; on SIGTERM or SIGINT
 * stops accepting, drains, closes cleanly and exits 0.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the FWP/1 server.")
final class RunCommand implements Callable<Integer> {
    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "7070", description = "FWP/1 port (default ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--admin-port", defaultValue = "7071", description = "Admin HTTP port: GET /health (default ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--journal", defaultValue = "./data/journal", description = "Journal directory (default ${DEFAULT-VALUE}).")
    Path journal;

    @Option(names = "--durability", defaultValue = "async", description = "async | sync | memory (default ${DEFAULT-VALUE}).")
    String durability;

    @Option(names = "--transport", defaultValue = "auto", description = "auto | io_uring | epoll | nio (default ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--idle", defaultValue = "backoff", description = "backoff | yield | spin | park (default ${DEFAULT-VALUE}).")
    String idle;

    @Option(names = "--cpus", defaultValue = "auto", description = "auto | none | io=0,journal=1,stages=1 (default ${DEFAULT-VALUE}).")
    String cpus;

    @Option(names = "--max-frame", defaultValue = "1048576", description = "Largest frame length in bytes (default ${DEFAULT-VALUE}).")
    int maxFrame;

    @Option(names = "--token-file", description = "File whose content (trimmed) clients must send in HELLO.")
    Path tokenFile;

    @Option(names = "--dedup-window", defaultValue = "10m", description = "How long eventIds are remembered (default ${DEFAULT-VALUE}).")
    String dedupWindow;

    @Option(names = "--checkpoint-every", defaultValue = "1000", description = "Events between stage checkpoints (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--backpressure", defaultValue = "block", description = "block | reject (default ${DEFAULT-VALUE}).")
    String backpressure;

    @Override
    public Integer call() throws Exception {
        Durability mode = parseDurability(durability);
        TransportKind transportKind = TransportKind.parse(transport);
        IdleKind idleKind = IdleKind.parse(idle);
        CpuLayout layout = CpuLayout.parse(cpus);
        Duration dedupAge = Durations.parse(dedupWindow);
        BackpressurePolicy policy = BackpressurePolicy.parse(backpressure);
        byte[] token = readToken(tokenFile);
        if (checkpointEvery <= 0) {
            throw new IllegalArgumentException("--checkpoint-every must be positive, was " + checkpointEvery);
        }
        EngineBuilder builder = Engine.builder().durability(mode).idle(idleKind).cpuLayout(cpus)
            .checkpointEvery(checkpointEvery).dedupWindow(1 << 20, dedupAge)
            .stage("ingest", (event, index, endOfBatch) -> { });
        if (mode != Durability.MEMORY) {
            builder.journal(journal);
        }
        ServerConfig config = new ServerConfig(bind, port, transportKind, 1, maxFrame, token, policy, 32 * 1024,
            64 * 1024, Duration.ofSeconds(10), layout);
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        try (Engine engine = builder.build();
             FerriteServer server = FerriteServer.start(engine, config);
             AdminServer admin = AdminServer.start(bind, adminPort, () -> health(server))) {
            System.out.printf(Locale.ROOT, "ferrite listening on %s:%d transport=%s durability=%s journal=%s admin=%d%n",
                bind, server.port(), server.transport().cliName(), mode.name().toLowerCase(Locale.ROOT),
                mode == Durability.MEMORY ? "none" : journal.toAbsolutePath(), admin.port());
            System.out.flush();
            stop.await();
            System.out.println("ferrite: stopping (draining, then closing)");
            admin.markStopping();
            server.close();
        }
        System.out.println("ferrite: stopped cleanly");
        return 0;
    }

    private static String health(FerriteServer server) {
        var counters = server.counters();
        return String.format(Locale.ROOT,
            "{\"status\":\"UP\",\"transport\":\"%s\",\"connections\":%d,\"accepted\":%d,\"rejected\":%d,\"protocolErrors\":%d}",
            server.transport().cliName(), counters.connectionsOpen(), counters.accepted(), counters.rejected(),
            counters.protocolErrors());
    }

    static Durability parseDurability(String text) {
        try {
            return Durability.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--durability '" + text + "' is not one of async, sync, memory", e);
        }
    }

    static byte[] readToken(Path file) {
        if (file == null) {
            return null;
        }
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                throw new IllegalArgumentException("--token-file " + file + " is empty; put the token in it");
            }
            return token.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("--token-file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
