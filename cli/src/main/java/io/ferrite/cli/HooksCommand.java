package io.ferrite.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ferrite.engine.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code ferrite hooks}: a webhook receiver for trying a pipeline's actions: answers every call
 * 200 (after {@code --work} if given), counts calls and distinct {@code Idempotency-Key}s, and
 * prints both every second — repeats (calls minus keys) are what an at-least-once sender resent.
 */
@Command(name = "hooks", mixinStandardHelpOptions = true,
    description = "Receive webhooks from a pipeline's actions on 127.0.0.1 and count them by Idempotency-Key.")
final class HooksCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8080", description = "Port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0: any).")
    int port;

    @Option(names = "--work", defaultValue = "0ms", description = "Time each call takes before its answer (default ${DEFAULT-VALUE}).")
    String work;

    @Spec
    CommandSpec spec;

    private final LongAdder calls = new LongAdder();
    private final Set<String> keys = ConcurrentHashMap.newKeySet();

    @Override
    public Integer call() throws IOException, InterruptedException {
        long workNanos = RunCommand.flag("--work", work, Durations::parse).toNanos();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> answer(exchange, workNanos));
        server.start();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("ferrite hooks listening on 127.0.0.1:%d%n", server.getAddress().getPort());
        out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            stop.countDown();
        }));
        long last = -1;
        while (!stop.await(1, TimeUnit.SECONDS)) {
            long now = calls.sum();
            if (now != last) {
                out.printf("calls=%d keys=%d repeats=%d%n", now, keys.size(), now - keys.size());
                out.flush();
                last = now;
            }
        }
        return 0;
    }

    private void answer(HttpExchange exchange, long workNanos) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (workNanos > 0) {
                Thread.sleep(workNanos / 1_000_000, (int) (workNanos % 1_000_000));
            }
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            keys.add(key == null ? "(none)" : key);
            calls.increment();
            exchange.sendResponseHeaders(200, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
