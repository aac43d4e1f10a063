package io.ferrite.cli;

import io.ferrite.cli.load.LoadConfig;
import io.ferrite.cli.load.LoadGenerator;
import io.ferrite.cli.load.LoadProgress;
import io.ferrite.cli.load.Summary;
import io.ferrite.client.ClientConfig;
import io.ferrite.client.ClientTls;
import io.ferrite.engine.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code ferrite send}: an open-loop load generator that is also a correctness check. Exits 1 when
 * any event it sent was neither ACKed nor REJECTed (the server died, or ACKs stopped coming for
 * {@code --ack-timeout}).
 *
 * <p>Thread-safety: picocli fills the fields, then one thread calls {@link #call()}.
 */
@Command(name = "send", mixinStandardHelpOptions = true,
    description = "Send events to a Ferrite server and report throughput and latency.")
final class SendCommand implements Callable<Integer> {
    static final int MAX_WINDOW = 1 << 20;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Server host (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "7070", description = "Server port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--count", defaultValue = "100000", description = "Events to send in all (default ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--rate", defaultValue = "0", description = "Events per second over all connections; 0 = as fast as possible (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--size", defaultValue = "64", description = "Payload bytes per event (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--connections", defaultValue = "1", description = "Connections, one sender thread each (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--token-file", description = "File holding the server's HELLO token.")
    Path tokenFile;

    @Mixin
    ClientTlsOptions tls = new ClientTlsOptions();

    @Option(names = "--window", defaultValue = "4096",
        description = "Most events in flight (un-ACKed) per connection: at maximum throughput, the queue each event waits"
            + " in; small windows keep queueing out of the latency figures (default ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--warmup", defaultValue = "0s",
        description = "Send for this long first, checking every ACK but leaving those events out of the rate and the"
            + " latency figures, while the JIT compiles the client (e.g. 5s; default ${DEFAULT-VALUE}).")
    String warmup;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    @Option(names = "--ack-timeout", defaultValue = "30s",
        description = "Give up on ACKs after this long without progress, e.g. when the server died (default ${DEFAULT-VALUE}).")
    String ackTimeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (count < 0 || rate < 0 || size < 0 || connections < 1) {
            throw new IllegalArgumentException("--count, --rate and --size must be >= 0 and --connections >= 1");
        }
        if (window < 1 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("--window must be 1.." + MAX_WINDOW + " events, was " + window);
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("--port must be 1..65535, was " + port);
        }
        Duration timeout;
        try {
            timeout = Durations.parse(ackTimeout);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--ack-timeout: " + e.getMessage(), e);
        }
        Duration warmupTime;
        try {
            warmupTime = Durations.parse(warmup);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--warmup: " + e.getMessage(), e);
        }
        ClientConfig.Builder client = ClientConfig.builder(host, port).clientName("ferrite-send");
        sizeWindow(client, window, size);
        ClientTls clientTls = tls.toClientTls();
        if (clientTls != null) {
            client.tls(clientTls);
        }
        byte[] token = RunCommand.readToken(tokenFile);
        if (token != null) {
            client.token(token);
        }
        Summary summary = LoadGenerator.run(LoadConfig.of(client.build(), count, rate, size, connections)
            .withAckTimeout(timeout).withWindow(window).withWarmup(warmupTime), liveProgress());
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? summary.json() : summary.line());
        out.flush();
        return summary.acked() + summary.rejected() == summary.sent() ? 0 : 1;
    }

    /** Gives the client room for {@code window} events of {@code size} payload bytes in flight (powers of two). */
    static void sizeWindow(ClientConfig.Builder client, int window, int size) {
        int inFlight = Integer.highestOneBit(Math.max(2, window) - 1) << 1;
        long bytes = Math.max(4L << 20, Long.highestOneBit(Math.max(4096, (long) inFlight * (size + 48)) - 1) << 1);
        client.window((int) Math.min(1 << 30, bytes), inFlight);
    }

    /** Progress on the terminal, overwritten in place; nothing when output is not a terminal. */
    static Consumer<LoadProgress> liveProgress() {
        if (System.console() == null) {
            return progress -> { };
        }
        return progress -> {
            System.err.print("\r" + progress.line() + "    ");
            System.err.flush();
        };
    }
}
