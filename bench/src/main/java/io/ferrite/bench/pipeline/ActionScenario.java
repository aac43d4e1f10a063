package io.ferrite.bench.pipeline;

import io.ferrite.bench.suite.Metric;
import io.ferrite.bench.suite.Sampler;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.TrialResult;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.Stages;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Mono;
import reactor.netty.resources.ConnectionProvider;

import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.LongAdder;

/**
 * Webhook actions against a receiver on loopback ({@link HookReceiver}, Netty, in this JVM) that
 * answers at once or after {@code workMillis}: Ferrite's action stage (events published to a MEMORY
 * engine as fast as it takes them) or, as peers, an HTTP client driven directly with the same
 * parallelism — the JDK HttpClient (what the action stage uses) or reactor-netty's (no engine, no
 * copy, no retries: the floor each client sets). Throughput is calls answered per second; the
 * largest number of calls the receiver served at once is printed, to show the cap holds.
 *
 * <p>Thread-safety: run from the suite runner's thread.
 */
public final class ActionScenario implements Scenario {
    /** Who makes the calls. */
    public enum Caller { FERRITE, JDK_CLIENT, REACTOR_NETTY }

    private static final Duration EXTRA_WARM_UP = Duration.ofSeconds(8);

    private final Caller caller;
    private final int parallelism;
    private final long workMillis;
    private HookReceiver receiver;
    private Engine engine;
    private HttpClient jdk;
    private reactor.netty.http.client.HttpClient nettyClient;
    private ConnectionProvider connections;
    private long nextId = 1;

    public ActionScenario(Caller caller, int parallelism, long workMillis) {
        this.caller = caller;
        this.parallelism = parallelism;
        this.workMillis = workMillis;
    }

    private String baseName() {
        return "actions.http." + (workMillis == 0 ? "fast" : workMillis + "ms") + ".p" + parallelism;
    }

    @Override
    public String name() {
        return baseName() + switch (caller) {
            case FERRITE -> "";
            case JDK_CLIENT -> ".jdk-client";
            case REACTOR_NETTY -> ".reactor-netty";
        };
    }

    @Override
    public String group() {
        return "actions";
    }

    @Override
    public String description() {
        return switch (caller) {
            case FERRITE -> "Ferrite action stage";
            case JDK_CLIENT -> "JDK HttpClient alone (peer)";
            case REACTOR_NETTY -> "reactor-netty HttpClient alone (peer)";
        } + ", " + parallelism + " calls in flight at most, receiver answers "
            + (workMillis == 0 ? "at once" : "after " + workMillis + " ms");
    }

    @Override
    public Metric metric() {
        return Metric.THROUGHPUT;
    }

    @Override
    public List<String> peers() {
        return caller == Caller.FERRITE ? List.of(baseName() + ".jdk-client", baseName() + ".reactor-netty") : List.of();
    }

    @Override
    public void open() throws Exception {
        receiver = new HookReceiver(workMillis);
        String url = "http://127.0.0.1:" + receiver.port() + "/hook/{key}";
        switch (caller) {
            case FERRITE -> {
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
            }
            case JDK_CLIENT -> jdk = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
            case REACTOR_NETTY -> {
                connections = ConnectionProvider.builder("bench").maxConnections(parallelism).pendingAcquireMaxCount(-1).build();
                nettyClient = reactor.netty.http.client.HttpClient.create(connections)
                    .baseUrl("http://127.0.0.1:" + receiver.port()).responseTimeout(Duration.ofSeconds(30));
            }
        }
        if (workMillis == 0) { // an HTTP stack is much code for the JIT: the suite's 2-s warm-up leaves each caller ramping
            run(EXTRA_WARM_UP, Duration.ofMillis(500));
        }
    }

    @Override
    public TrialResult run(Duration duration, Duration sample) throws Exception {
        LongAdder answered = receiver.answered;
        long first = answered.sum();
        receiver.maxConcurrent.set(0);
        Sampler sampler = Sampler.start(answered::sum, sample);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        if (caller == Caller.FERRITE) {
            MemorySegment payload = MemorySegment.ofArray(new byte[64]);
            long published = answered.sum();
            while (System.nanoTime() < end) {
                if (published - answered.sum() >= 2L * parallelism) { // keep the stage busy, not a backlog to drain
                    LockSupport.parkNanos(20_000); // not a spin: 2 cores, the peers block too
                    continue;
                }
                long id = nextId++;
                long index;
                while ((index = engine.publish(1, id, id, 0, payload, 0, 64)) < 0 && System.nanoTime() < end) {
                    Thread.onSpinWait(); // back-pressured by the action stage
                }
                if (index >= 0) {
                    published++;
                }
            }
            while (answered.sum() < published) { // the trial's calls answered before the next trial starts
                Thread.sleep(1); // a drain, outside the measured loop; reads a counter, allocates nothing
            }
        } else {
            Semaphore slots = new Semaphore(parallelism);
            byte[] body = new byte[200];
            URI uri = URI.create("http://127.0.0.1:" + receiver.port() + "/hook/1");
            while (System.nanoTime() < end) {
                slots.acquire();
                if (caller == Caller.JDK_CLIENT) {
                    jdk.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding())
                        .whenComplete((response, error) -> slots.release());
                } else {
                    nettyClient.post().uri("/hook/1").send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)))
                        .responseSingle((response, content) -> content.then(Mono.just(response.status().code())))
                        .subscribe(code -> slots.release(), error -> slots.release()); // the body read: the connection goes back to the pool
                }
            }
            slots.acquire(parallelism);
            slots.release(parallelism);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] timeline = sampler.stop();
        System.out.printf("  %s: the receiver served %d calls at once at most, over %d connections opened so far%n", name(),
            receiver.maxConcurrent.get(), receiver.connections.sum());
        return TrialResult.of(answered.sum() - first, seconds, null, timeline, sample.toNanos() / 1e9);
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
        if (jdk != null) {
            jdk.close();
        }
        if (connections != null) {
            connections.disposeLater().block(Duration.ofSeconds(5));
        }
        if (receiver != null) {
            receiver.close();
        }
    }
}
