package io.ferrite.cli;

import io.ferrite.client.ClientConfig;
import io.ferrite.client.FerriteClient;
import io.ferrite.engine.EventMarks;
import io.ferrite.engine.EventView;
import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.ChronicleJournalReader;
import io.ferrite.pipeline.index.IndexReader;
import io.ferrite.pipeline.index.Query;
import io.ferrite.pipeline.index.QueryResult;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of {@code ferrite run} while its index stage indexes a stream, then a restart on the same
 * journal and more events: the rebuilt index answers every query as the journal itself says (an
 * oracle that reads the journal event by event) — no event missing, none twice — for keys, types,
 * a policy's tag, an indexed payload field, and through {@code ferrite query} as a user runs it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CliQueryCrashTest {
    private static final String[] REGIONS = {"eu", "us", "ap"};

    @TempDir
    Path dir;

    /** One journaled event as the oracle sees it. */
    private record Seen(long index, int type, long key, boolean vip, String region) {
    }

    @Test
    void afterAKillTheIndexAnswersAsTheJournalSays() throws Exception {
        Path pipeline = Files.writeString(dir.resolve("index.yaml"), """
            policies:
              - name: vip
                when: {type: 3}
                then: {tag: [vip]}
            stages:
              - name: index
                use: index
                with: {fields: region, flush: 50ms}
            """);
        Path journal = dir.resolve("journal");
        String[] run = {"run", "--port", "0", "--admin-port", "0", "--journal", journal.toString(), "--cpus", "none",
            "--pipeline", pipeline.toString()};
        AtomicLong nextId = new AtomicLong(1);
        try (CliProcess server = CliProcess.start(run)) {
            int port = server.awaitReady(Duration.ofSeconds(60));
            String admin = adminPort(server);
            AtomicBoolean stop = new AtomicBoolean();
            Thread sender = Thread.ofPlatform().start(() -> send(port, nextId, 400_000, stop));
            Await.until("the index under way", Duration.ofSeconds(120),
                () -> AdminHttp.metric(admin, "ferrite_index_events_total{stage=\"index\"}") >= 100_000);
            server.kill(); // SIGKILL while the stream goes on and the index writes
            stop.set(true);
            sender.join(30_000);
        }
        try (CliProcess restarted = CliProcess.start(run)) {
            int port = restarted.awaitReady(Duration.ofSeconds(60));
            String admin = adminPort(restarted);
            send(port, nextId, 20_000, new AtomicBoolean());
            Await.until("the index caught up", Duration.ofSeconds(120),
                () -> AdminHttp.metric(admin, "ferrite_stage_lag_events{stage=\"index\"}") == 0);
            List<Seen> journaled = oracle(journal); // the journal, read while the server runs
            assertThat(journaled.size()).as("events journaled before and after the kill").isGreaterThan(100_000);
            try (IndexReader reader = IndexReader.open(journal)) {
                for (long key : new long[] {0, 7, 4_999, 1_234}) {
                    check(reader, journaled, new Query(null, key, List.of(), List.of(), Long.MIN_VALUE, Long.MAX_VALUE, 20),
                        seen -> seen.key() == key);
                }
                check(reader, journaled, new Query(3, null, List.of(), List.of(), Long.MIN_VALUE, Long.MAX_VALUE, 20),
                    seen -> seen.type() == 3);
                check(reader, journaled, new Query(null, null, List.of("vip"), List.of(), Long.MIN_VALUE, Long.MAX_VALUE, 20),
                    Seen::vip);
                check(reader, journaled, new Query(2, null, List.of("region=eu"), List.of(), Long.MIN_VALUE, Long.MAX_VALUE, 20),
                    seen -> seen.type() == 2 && seen.region().equals("eu"));
            }
            CliRun cli = CliRun.of("query", "--journal", journal.toString(), "--key", "7", "--tag", "region=us", "--count");
            assertThat(cli.status()).as(cli.err()).isZero();
            assertThat(Long.parseLong(cli.out().trim())).isEqualTo(journaled.stream()
                .filter(seen -> seen.key() == 7 && seen.region().equals("us")).count());
            assertThat(cli.err()).contains("key=7 tag=region=us:", "matched; index");
            restarted.output().lines().filter(line -> line.contains("index ")).filter(line -> line.contains("journal index"))
                .forEach(line -> System.out.println("after the restart: " + line)); // what the recovery did, for the log
            assertThat(restarted.terminate(Duration.ofSeconds(60))).isZero();
        }
    }

    private static void check(IndexReader reader, List<Seen> journaled, Query query, Predicate<Seen> expected) {
        List<Long> all = journaled.stream().filter(expected).map(Seen::index).toList();
        QueryResult counted = reader.run(query, true);
        assertThat(counted.matched()).as("count of " + query.describe()).isEqualTo(all.size());
        QueryResult newest = reader.run(query, false);
        assertThat(newest.hits().stream().map(QueryResult.Hit::index).toList()).as(query.describe())
            .isEqualTo(all.subList(Math.max(0, all.size() - query.limit()), all.size()));
        for (QueryResult.Hit hit : newest.hits()) { // each hit read from the journal is the event at its index
            Seen seen = journaled.get((int) (hit.index() - journaled.getFirst().index()));
            assertThat(seen.index()).isEqualTo(hit.index());
            assertThat(hit.key()).as("key of event %d", hit.index()).isEqualTo(seen.key());
            assertThat(hit.type()).as("type of event %d", hit.index()).isEqualTo(seen.type());
            assertThat(new String(hit.payload(), StandardCharsets.UTF_8)).contains("\"region\":\"" + seen.region() + "\"");
        }
    }

    /** Every journaled event, read from the journal itself. */
    private static List<Seen> oracle(Path journal) {
        List<Seen> seen = new ArrayList<>();
        EventView view = new EventView();
        try (ChronicleJournal events = ChronicleJournal.openToRead(journal.resolve("events"));
             ChronicleJournalReader reader = events.newReader(false)) {
            long end = events.endOfJournal();
            while (reader.gate() < end) {
                reader.read((memory, offset, length, index, endOfBatch) -> {
                    view.wrap(memory, offset, length);
                    byte[] payload = new byte[view.payloadLength()];
                    java.lang.foreign.MemorySegment.copy(view.memory(), java.lang.foreign.ValueLayout.JAVA_BYTE,
                        view.payloadOffset(), payload, 0, payload.length);
                    String text = new String(payload, StandardCharsets.UTF_8);
                    String region = text.substring(text.indexOf(":\"") + 2, text.indexOf("\","));
                    seen.add(new Seen(index, view.type(), view.key(), (EventMarks.tags(view.marks()) & 1) != 0, region));
                }, end, 4_096);
            }
        }
        return seen;
    }

    /** Publishes up to {@code count} events (types 1..4, keys 0..4999, a region in the payload) until stopped or cut off. */
    private static void send(int port, AtomicLong nextId, int count, AtomicBoolean stop) {
        try (FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", port).build())) {
            long last = 0;
            for (int i = 0; i < count && !stop.get(); i++) {
                long id = nextId.getAndIncrement();
                byte[] payload = ("{\"region\":\"" + REGIONS[(int) (id % 3)] + "\",\"n\":" + id + "}")
                    .getBytes(StandardCharsets.UTF_8);
                long sent;
                while ((sent = client.publish(1 + (int) (id % 4), id % 5_000, id, 0, payload))
                    == io.ferrite.client.ClientResult.BACK_PRESSURED && !stop.get()) {
                    client.flush(); // the window is full: send it and wait for ACKs to free slots
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                }
                if (sent < 0) {
                    return; // closed under us (the kill), or stopped
                }
                last = sent;
            }
            client.flush();
            client.awaitAcked(last, Duration.ofSeconds(60));
        } catch (Exception e) {
            // the server was killed under the sender: what it ACKed is in the journal, the rest may be
        }
    }

    private static String adminPort(CliProcess server) {
        return server.awaitLine("ferrite listening on ", Duration.ofSeconds(1)).replaceAll(".* admin=", "");
    }
}
