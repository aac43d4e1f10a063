package io.ferrite.bench.pipeline;

import com.sun.net.httpserver.HttpServer;
import io.ferrite.bench.suite.Metric;
import io.ferrite.bench.suite.Sampler;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.TrialResult;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.Stages;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Webhook actions against a receiver on loopback (the JDK's HttpServer in this JVM) that answers
 * at once or after {@code workMillis}: Ferrite's action stage (events published to a MEMORY engine
 * as fast as it takes them) or, as the peer, the JDK HttpClient driven directly with the same
 * parallelism (no engine, no copy, no retries: the floor). Throughput is calls answered per second;
 * the largest number of calls the receiver served at once is printed, to show the cap holds.
 *
 * <p>Thread-safety: run from the suite runner's thread.
 */
public final class ActionScenario implements Scenario {
    private final boolean ferrite;
    private final int parallelism;
    private final long workMillis;
    private final LongAdder answered = new LongAdder();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private HttpServer receiver;
    private Engine engine;
    private HttpClient client;
    private long nextId = 1;

    public ActionScenario(boolean ferrite, int parallelism, long workMillis) {
        this.ferrite = ferrite;
        this.parallelism = parallelism;
        this.workMillis = workMillis;
    }

    @Override
    public String name() {
        return "actions.http." + (workMillis == 0 ? "fast" : workMillis + "ms") + ".p" + parallelism
            + (ferrite ? "" : ".jdk-client");
    }

    @Override
    public String group() {
        return "actions";
    }

    @Override
    public String description() {
        return (ferrite ? "Ferrite action stage" : "JDK HttpClient alone (peer)") + ", " + parallelism
            + " calls in flight at most, receiver answers " + (workMillis == 0 ? "at once" : "after " + workMillis + " ms");
    }

    @Override
    public Metric metric() {
        return Metric.THROUGHPUT;
    }

    @Override
    public List<String> peers() {
        return ferrite ? List.of(name() + ".jdk-client") : List.of();
    }

    @Override
    public void open() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4096);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/", exchange -> {
            int now = concurrent.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                if (workMillis > 0) {
                    Thread.sleep(workMillis);
                }
                exchange.sendResponseHeaders(200, -1);
                answered.increment();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                concurrent.decrementAndGet();
            }
        });
        receiver.start();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook/{key}";
        if (ferrite) {
            var pipeline = PipelineFile.parse("bench.yaml", """
                actions:
                  - name: hook
                    http: {url: '%s'}
                    max-parallelism: %d
                stages:
                  - name: out
                    actions: [hook]
                    with: {max-parallelism: %d}
                """.formatted(url, parallelism, parallelism));
            engine = Stages.addTo(Engine.builder().durability(Durability.MEMORY).memoryRingBytes(64 << 20),
                Stages.build(pipeline, Stages.loader(List.of()))).build();
        } else {
            client = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        }
    }

    @Override
    public TrialResult run(Duration duration, Duration sample) throws Exception {
        long first = answered.sum();
        maxConcurrent.set(0);
        Sampler sampler = Sampler.start(answered::sum, sample);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        if (ferrite) {
            MemorySegment payload = MemorySegment.ofArray(new byte[64]);
            long published = answered.sum();
            while (System.nanoTime() < end) {
                if (published - answered.sum() >= 2L * parallelism) { // keep the stage busy, not a backlog to drain
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000); // not a spin: 2 cores, the peer blocks too
                    continue;
                }
                long id = nextId++;
                while (engine.publish(1, id, id, 0, payload, 0, 64) < 0 && System.nanoTime() < end) {
                    Thread.onSpinWait(); // back-pressured by the action stage
                }
                published++;
            }
            while (engine.metrics().stages().getFirst().lag() > 0) {
                Thread.sleep(1);
            }
        } else {
            URI uri = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook/1");
            Semaphore slots = new Semaphore(parallelism);
            byte[] body = new byte[200];
            while (System.nanoTime() < end) {
                slots.acquire();
                client.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> slots.release());
            }
            slots.acquire(parallelism);
            slots.release(parallelism);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] timeline = sampler.stop();
        System.out.printf("  %s: the receiver served %d calls at once at most%n", name(), maxConcurrent.get());
        return TrialResult.of(answered.sum() - first, seconds, null, timeline, sample.toNanos() / 1e9);
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
        if (client != null) {
            client.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }
}
