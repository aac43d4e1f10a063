package io.ferrite.bench.observe;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.engine.StageThreading;
import io.ferrite.transport.node.FerriteNode;
import io.ferrite.transport.server.ServerConfig;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /metrics} of a node with {@code stages} stages, over real HTTP on loopback (the admin
 * port, rendering on its platform thread), beside the peer: the Prometheus client rendering its own
 * counters and gauges with as many labelled series (ten reason codes each for two counters, five
 * series per stage) into memory, with no HTTP. The target: ≤ 10 ms with 100 stages.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class MetricsScrapeBenchmark {
    @Param({"1", "100"})
    int stages;

    private FerriteNode node;
    private HttpClient http;
    private HttpRequest scrape;
    private PrometheusRegistry peer;
    private final ExpositionFormats formats = ExpositionFormats.init();

    @Setup
    public void setUp() {
        EngineBuilder engine = Engine.builder().durability(Durability.MEMORY).memoryRingBytes(8 << 20)
            .threading(StageThreading.FUSED).closeTimeout(Duration.ofSeconds(5));
        for (int k = 0; k < stages; k++) {
            engine.stage("stage-" + k, (event, index, endOfBatch) -> { });
        }
        node = FerriteNode.builder(engine).server(ServerConfig.builder().port(0)).admin(0).start();
        http = HttpClient.newHttpClient();
        scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + "/metrics")).build();

        peer = new PrometheusRegistry();
        Counter refused = Counter.builder().name("peer_refused").help("by code").labelNames("code").register(peer);
        Counter closed = Counter.builder().name("peer_closed").help("by code").labelNames("code").register(peer);
        for (int code = 0; code < 10; code++) {
            refused.labelValues("code" + code).inc();
            closed.labelValues("code" + code).inc();
        }
        Counter events = Counter.builder().name("peer_stage_events").help("per stage").labelNames("stage").register(peer);
        Gauge lag = Gauge.builder().name("peer_stage_lag").help("per stage").labelNames("stage", "kind").register(peer);
        for (int k = 0; k < stages; k++) {
            events.labelValues("stage-" + k).inc();
            for (String kind : new String[] {"a", "b", "c", "d"}) {
                lag.labelValues("stage-" + k, kind).set(k);
            }
        }
    }

    @TearDown
    public void tearDown() {
        http.close();
        node.close();
    }

    /** Ferrite's /metrics over HTTP: the registry, the latency summaries, the JVM's figures. */
    @Benchmark
    public int ferriteOverHttp() throws IOException, InterruptedException {
        return http.send(scrape, HttpResponse.BodyHandlers.ofByteArray()).body().length;
    }

    /** The peer: the Prometheus client's own metrics, as many series, rendered in memory. */
    @Benchmark
    public int prometheusClientInMemory() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        formats.getPrometheusTextFormatWriter().write(out, peer.scrape());
        return out.size();
    }
}
