package io.ferrite.pipeline.actions;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver for action tests (the JDK's HttpServer on loopback): answers by the key in
 * the path {@code /hook/KEY} as {@link #answers} says, counts calls per idempotency key, and keeps
 * the largest number of calls it served at once.
 */
final class Receiver implements AutoCloseable {
    /** What the receiver does for a key: a status, or a stall, per attempt. */
    @FunctionalInterface
    interface Answer {
        /** @return the HTTP status, -1 to stall past any timeout, or -2 to close the connection unanswered */
        int status(long key, int attempt) throws InterruptedException;
    }

    final Map<String, AtomicInteger> callsByKey = new ConcurrentHashMap<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    /** {@link System#nanoTime()} of each call, in arrival order. */
    final List<Long> callTimes = new CopyOnWriteArrayList<>();
    /** The same per idempotency key. */
    final Map<String, List<Long>> timesByKey = new ConcurrentHashMap<>();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final HttpServer server;
    /** Released by {@link #close()}: ends the stalls. */
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Answer answers = (key, attempt) -> 200;
    private volatile long workMillis;

    Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/hook/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook/{key}";
    }

    Receiver answering(Answer answer) {
        this.answers = answer;
        return this;
    }

    /** Each call takes this long before it is answered. */
    Receiver working(long millis) {
        this.workMillis = millis;
        return this;
    }

    /** Calls per idempotency key, as plain numbers. */
    Map<String, Integer> counts() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        callsByKey.forEach((key, calls) -> counts.put(key, calls.get()));
        return counts;
    }

    int calls() {
        return callsByKey.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    private void handle(HttpExchange exchange) throws IOException {
        callTimes.add(System.nanoTime());
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        try (exchange) {
            String idempotencyKey = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            timesByKey.computeIfAbsent(idempotencyKey, k -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
            int attempt = callsByKey.computeIfAbsent(idempotencyKey, k -> new AtomicInteger()).incrementAndGet();
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            long key = Long.parseLong(exchange.getRequestURI().getPath().substring("/hook/".length()));
            if (workMillis > 0) {
                Thread.sleep(workMillis);
            }
            int status = answers.status(key, attempt);
            if (status == -2) {
                return; // the exchange closed with no response sent: the server closes the connection
            }
            if (status < 0) {
                closed.await(); // a stall until the receiver closes: the caller's timeout fires first
                return;
            }
            if (status == 429) {
                exchange.getResponseHeaders().add("Retry-After", "1");
            }
            exchange.sendResponseHeaders(status, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            concurrent.decrementAndGet();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
