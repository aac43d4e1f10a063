package io.ferrite.pipeline;

import com.sun.net.httpserver.HttpServer;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.testing.Await;
import net.openhft.chronicle.map.ChronicleMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The enrichment stage against a real HTTP source (the JDK's HttpServer) that answers, says "not
 * found", fails and stalls: later stages see what was found, a failure or a stall leaves the event
 * without and is counted (not cached), repeats are cache hits that do not reach the source, and the
 * cache can be emptied by key prefix.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EnrichStageTest {
    private HttpServer source;
    private final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void stopSource() {
        if (source != null) {
            source.stop(0);
        }
    }

    private int startSource() throws Exception {
        source = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        source.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        source.createContext("/customers/", exchange -> {
            requests.incrementAndGet();
            long key = Long.parseLong(exchange.getRequestURI().getPath().substring("/customers/".length()));
            try (exchange) {
                if (key == 13) {
                    Thread.sleep(2_000); // a stall: the stage's timeout is 300 ms
                }
                int status = key % 10 == 0 ? 404 : key % 10 == 1 ? 500 : 200;
                byte[] body = ("customer-" + key).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, status == 200 ? body.length : -1);
                if (status == 200) {
                    exchange.getResponseBody().write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        source.start();
        return source.getAddress().getPort();
    }

    @Test
    void laterStagesSeeWhatWasFoundAndFailuresAreCountedNotCached() throws Exception {
        int port = startSource();
        Pipeline pipeline = PipelineFile.parse("e.yaml", """
            stages:
              - name: customers
                use: enrich
                with: {http: 'http://127.0.0.1:%d/customers/{key}', timeout: 300ms, ttl: 5m, max: 1000}
              - name: reader
                use: io.ferrite.pipeline.EnrichmentReader
                with: {from: customers}
            """.formatted(port));
        List<Stages.Built> stages = Stages.build(pipeline, Stages.loader(List.of()));
        EnrichStage cache = Stages.enrichStages(stages).getFirst();
        EnrichmentReader.SEEN.clear();
        try (Engine engine = Stages.addTo(Engine.builder().durability(Durability.MEMORY).memoryRingBytes(8 << 20), stages)
            .build()) {
            MemorySegment payload = MemorySegment.ofArray(new byte[4]);
            for (int round = 0; round < 2; round++) {
                for (long key = 1; key <= 30; key++) {
                    engine.publish(1, key, round * 100 + key, 0, payload, 0, 4);
                }
            }
            Await.until("the reader saw 60 events", Duration.ofSeconds(30), () -> EnrichmentReader.SEEN.size() == 60);
        }
        List<String> seen = EnrichmentReader.SEEN;
        assertThat(seen.subList(0, 30)).contains("2=customer-2", "29=customer-29", "10=null", "1=null", "11=null", "13=null");
        assertThat(seen.subList(30, 60)).isEqualTo(seen.subList(0, 30)); // the same answers, from the cache
        // 30 keys looked up once; the 4 failures (1, 11, 21 answered 500; 13 stalled) are looked up again
        assertThat(requests.get()).isEqualTo(30 + 4);
        assertThat(cache.failures()).isEqualTo(8);
        assertThat(cache.stats().hitCount()).isEqualTo(26);
        assertThat(cache.statsJson()).contains("\"stage\":\"customers\"", "\"hits\":26", "\"loadFailures\":8",
            "\"hitRate\":0.");
        assertThat(cache.invalidate("2")).as("keys 2, 20, 22..29 (21 failed: never cached)").isEqualTo(10);
        assertThat(cache.invalidate(null)).isEqualTo(16);
    }

    @Test
    void aSourceMustBeSaidOnce() {
        Pipeline none = PipelineFile.parse("e.yaml", "stages:\n  - name: c\n    use: enrich\n");
        assertThatThrownBy(() -> Stages.build(none, Stages.loader(List.of())))
            .hasMessageContaining("e.yaml:2: stage c: an enrich stage needs one source");
        Pipeline badUrl = PipelineFile.parse("e.yaml", "stages:\n  - name: c\n    use: enrich\n    with: {http: 'ftp://x'}\n");
        assertThatThrownBy(() -> Stages.build(badUrl, Stages.loader(List.of())))
            .hasMessageContaining("with.http must be an http(s) URL containing {key}");
        Pipeline badTtl = PipelineFile.parse("e.yaml",
            "stages:\n  - name: c\n    use: enrich\n    with: {http: 'http://x/{key}', ttl: soon}\n");
        assertThatThrownBy(() -> Stages.build(badTtl, Stages.loader(List.of())))
            .hasMessageContaining("with.ttl must be a duration like 500ms, 30s, 5m or 1h, got 'soon'");
    }

    @Test
    void aChronicleMapTableIsReadAsItsWriterKeepsItUpToDate(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("customers.dat");
        assertThatThrownBy(() -> Stages.build(PipelineFile.parse("m.yaml", chronicleMapPipeline(file)), Stages.loader(List.of())))
            .hasMessageContaining("m.yaml:2: stage customers: with.chronicle-map: no such file " + file);
        try (ChronicleMap<Long, CharSequence> writer = EnrichStage.createTable(file, 10_000, 16)) { // another handle on the file
            writer.put(7L, "gold");
            List<Stages.Built> stages = Stages.build(PipelineFile.parse("m.yaml", chronicleMapPipeline(file)),
                Stages.loader(List.of()));
            EnrichmentReader.SEEN.clear();
            try (Engine engine = Stages.addTo(Engine.builder().durability(Durability.MEMORY).memoryRingBytes(8 << 20), stages)
                .build()) {
                MemorySegment payload = MemorySegment.ofArray(new byte[4]);
                engine.publish(1, 7, 1, 0, payload, 0, 4);
                engine.publish(1, 8, 2, 0, payload, 0, 4);
                Await.until("the reader saw 2 events", Duration.ofSeconds(10), () -> EnrichmentReader.SEEN.size() == 2);
                writer.put(8L, "silver"); // the writer adds a key; the stage's cache forgets "none" after its ttl
                Await.until("key 8 found once the ttl passed", Duration.ofSeconds(10), () -> {
                    engine.publish(1, 8, 3 + EnrichmentReader.SEEN.size(), 0, payload, 0, 4);
                    Await.until("handled", Duration.ofSeconds(5), () -> engine.metrics().stages().getLast().lag() == 0);
                    return EnrichmentReader.SEEN.getLast().equals("8=silver");
                });
            }
            assertThat(EnrichmentReader.SEEN.subList(0, 2)).containsExactly("7=gold", "8=null");
        }
    }

    private static String chronicleMapPipeline(Path file) {
        return """
            stages:
              - name: customers
                use: enrich
                with: {chronicle-map: '%s', ttl: 100ms}
              - name: reader
                use: io.ferrite.pipeline.EnrichmentReader
                with: {from: customers}
            """.formatted(file);
    }
}
