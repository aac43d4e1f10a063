package io.ferrite.bench.tcp;

import io.ferrite.bench.engine.TempDirectory;
import io.ferrite.client.ClientTls;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.kafka.KafkaRelay;
import io.ferrite.testing.KafkaBroker;
import io.ferrite.pipeline.Pipeline;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.PolicyEngine;
import io.ferrite.pipeline.Stages;
import io.ferrite.testing.TestCertificates;
import io.ferrite.transport.node.FerriteNode;
import io.ferrite.transport.server.ServerConfig;
import io.ferrite.transport.server.TransportKind;
import io.ferrite.transport.tls.TlsProvider;
import io.ferrite.transport.tls.TlsSettings;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The real thing, in this JVM: an {@link Engine} with one no-op stage journaling into a fresh
 * temporary directory, behind a {@link FerriteServer} on 127.0.0.1 and an ephemeral port. Nothing
 * is pinned ({@code cpuLayout none}): two cores cannot give the server, the engine and the load
 * generator a core each. With TLS, certificates are made for the run and the client trusts their CA.
 *
 * <p>Thread-safety: open and close from one thread.
 */
final class FerriteTarget implements IngestTarget {
    private final TempDirectory directory = new TempDirectory();
    private final FerriteNode node;
    private final ClientTls clientTls;
    private final Thread scraper;
    private volatile boolean scraping;
    private final boolean hasPipeline;
    /** With forwarding: the broker the relay stage sends to. */
    private KafkaBroker broker;

    /** What observability the target runs with. */
    enum Metrics {
        /** as a library user gets it: counters file and ACK latency on, no admin port */
        DEFAULT,
        /** everything on, and scraped: admin port with its observer, /metrics and /status fetched every second */
        SCRAPED,
        /** everything off: no counters file, no ACK latency, no admin port (to measure what metrics cost) */
        OFF
    }

    FerriteTarget(TransportKind transport, Durability durability) {
        this(transport, durability, true, null, Metrics.DEFAULT, null);
    }

    FerriteTarget(TransportKind transport, Durability durability, boolean dedup, TlsProvider tls, Metrics metrics) {
        this(transport, durability, dedup, tls, metrics, null);
    }

    /**
     * @param dedup   false: the engine's dedup window is off (a diagnostic: what the window costs)
     * @param tls     TLS on the port with this provider (certificates made for the run), or null for plain TCP
     * @param metrics  what observability runs beside the ingest
     * @param pipeline a pipeline file's text (its stages and policies replace the one no-op stage), or null
     */
    FerriteTarget(TransportKind transport, Durability durability, boolean dedup, TlsProvider tls, Metrics metrics,
                  String pipeline) {
        this(transport, durability, dedup, tls, metrics, pipeline, null);
    }

    /**
     * As above, and with {@code forward} a Kafka broker in this JVM and the relay stage forwarding every
     * event to it ({@code --forward-kafka}, ACK after the journal or after Kafka), or null for none.
     */
    FerriteTarget(TransportKind transport, Durability durability, boolean dedup, TlsProvider tls, Metrics metrics,
                  String pipeline, KafkaRelay.Ack forward) {
        this.hasPipeline = pipeline != null || forward != null;
        try {
            ServerConfig.Builder server = ServerConfig.builder().port(0).transport(transport);
            if (tls != null) {
                TestCertificates pki = TestCertificates.create(directory.path().resolve("pki"));
                server.tls(new TlsSettings(pki.serverChain(), pki.serverKey(), null, tls));
                clientTls = ClientTls.fromPem(pki.ca(), null, null);
            } else {
                clientTls = null;
            }
            EngineBuilder engine = Engine.builder().durability(durability);
            if (pipeline == null) {
                engine.stage("count", (event, index, endOfBatch) -> { });
            } else {
                Pipeline parsed = PipelineFile.parse("bench pipeline", pipeline);
                Stages.addTo(engine, Stages.build(parsed, Stages.loader(List.of()),
                    durability == Durability.MEMORY ? null : directory.path().resolve("journal")));
                server.admission(PolicyEngine.compile(parsed.policies(), null, 10_000, Duration.ofMinutes(5)));
            }
            if (!dedup) {
                engine.dedupWindow(0, Duration.ofMinutes(1));
            }
            if (forward != null) {
                broker = KafkaBroker.start();
                broker.createTopic("forwarded", 4);
                KafkaRelay relay = new KafkaRelay(broker.bootstrap(), "forwarded", 65_536, java.util.Map.of());
                engine.stage("kafka-relay", relay);
                if (forward == KafkaRelay.Ack.KAFKA) {
                    engine.ackGate(relay::forwardedBelow);
                }
            }
            engine.countersFile(metrics != Metrics.OFF);
            server.recordLatency(metrics != Metrics.OFF);
            FerriteNode.Builder builder = FerriteNode.builder(engine.journal(directory.path().resolve("journal"))).server(server);
            if (metrics == Metrics.SCRAPED) {
                builder.admin(0);
            }
            node = builder.start();
            scraping = metrics == Metrics.SCRAPED;
            scraper = scraping ? Thread.ofVirtual().name("bench-scraper").start(this::scrape) : null;
        } catch (Exception e) {
            if (broker != null) {
                broker.close();
            }
            directory.close();
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
        }
    }

    @Override
    public int port() {
        return node.port();
    }

    /** As Prometheus and an open dashboard would: GET /metrics and /status once a second. */
    private void scrape() {
        try (HttpClient http = HttpClient.newHttpClient()) {
            while (scraping) {
                for (String path : new String[] {"/metrics", "/status"}) {
                    try {
                        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    } catch (IOException e) {
                        // the node is closing
                    }
                }
                Thread.sleep(1_000); // the scrape interval
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public ClientTls clientTls() {
        return clientTls;
    }

    /** The stages' lag now (events journaled and not yet handled), for scenarios with a pipeline. */
    @Override
    public String stageLag() {
        if (!hasPipeline) {
            return null;
        }
        StringBuilder line = new StringBuilder("stage lag");
        node.engine().metrics().stages().forEach(stage -> line.append(' ').append(stage.name()).append('=')
            .append(stage.lag()));
        return line.toString();
    }

    @Override
    public void close() {
        scraping = false;
        if (scraper != null) {
            scraper.interrupt();
        }
        try {
            node.close();
        } finally {
            if (broker != null) {
                broker.close();
            }
            directory.close();
        }
    }
}
