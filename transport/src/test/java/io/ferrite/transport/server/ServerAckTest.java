package io.ferrite.transport.server;

import io.ferrite.engine.Durability;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.engine.RecordingHandler;
import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.ChronicleJournalReader;
import io.ferrite.engine.journal.JournalConfig;
import io.ferrite.engine.journal.JournalReader;
import io.ferrite.engine.journal.JournalRecord;
import io.ferrite.engine.journal.JournalTesting;
import io.ferrite.protocol.EventFrame;
import io.ferrite.protocol.FrameKind;
import io.ferrite.testing.Await;
import io.ferrite.testing.RawClient;
import io.ferrite.testing.RawFrame;
import io.ferrite.testing.RawFrames;
import io.ferrite.transport.node.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ferrite.testing.RawFrames.concat;
import static io.ferrite.testing.RawFrames.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ACK semantics (PROTOCOL.md rule 7) against an ASYNC engine journaling to disk: ACKs are cumulative
 * and coalesced, carry the journal index the engine gave the event (checked against the stage and
 * against the journal itself, read back the way {@code ferrite replay} does), a duplicate eventId is
 * acknowledged with index 0 and journaled once, and a REJECT precedes the ACK covering it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServerAckTest {
    @TempDir
    Path dir;

    /** What the journal holds at an index. */
    record Journaled(long correlationId, long eventId, long key) {
    }

    @Test
    void pipelinedEventsGetCoalescedCumulativeAcksCarryingTheirJournalIndex() throws IOException {
        List<RawFrame> acks = new ArrayList<>();
        try (TestNode harness = TestNode.start(TestNode.asyncEngine(dir), TestNode.config());
             RawClient client = RawClient.connectAndHello(harness.port())) {
            client.send(RawFrames.events(1, 1000, 0, 11));
            List<RawFrame> frames = client.readUntilAck(1000, RawClient.TIMEOUT);
            assertThat(frames).allMatch(f -> f.kind() == FrameKind.ACK);
            assertThat(frames.getLast().correlationId()).isEqualTo(1000);
            assertThat(frames.size()).as("ACKs for 1000 events sent in one write (coalesced)").isLessThan(1000);
            ServerRejectTest.assertRejectsPrecedeTheirAcks(frames);
            acks.addAll(frames);

            // one at a time too: one ACK each, each with its own index
            for (long correlationId = 1001; correlationId <= 1050; correlationId++) {
                client.send(event(correlationId, 0, 11));
                List<RawFrame> one = client.readUntilAck(correlationId, RawClient.TIMEOUT);
                assertThat(one).hasSize(1);
                assertThat(one.getFirst().correlationId()).isEqualTo(correlationId);
                acks.addAll(one);
            }
            Await.until("the stage saw all 1050 events", RawClient.TIMEOUT, () -> harness.stage().count() == 1050);
            Map<Long, Long> indexByCorrelation = new HashMap<>();
            for (RecordingHandler.Seen seen : harness.stage().seen()) {
                indexByCorrelation.put(seen.correlationId(), seen.index());
            }
            for (RawFrame ack : acks) {
                assertThat(ack.journalIndex()).as("index in %s", ack)
                    .isEqualTo(indexByCorrelation.get(ack.correlationId()));
            }
            assertThat(harness.counters().accepted()).isEqualTo(1050);
        }
        Map<Long, Journaled> journal = readJournal();
        assertThat(journal).hasSize(1050);
        for (RawFrame ack : acks) {
            assertThat(journal.get(ack.journalIndex())).as("journal record at the index of %s", ack)
                .isEqualTo(new Journaled(ack.correlationId(), 0, 11));
        }
    }

    /**
     * SYNC: every read batch's ACK waits for the group commit covering it. A client sending one
     * event per write makes one batch per event; many more batches than the connection's ACK ring
     * holds must wait within one (slow) group commit without failing the connection (found by the
     * fixed-rate SYNC benchmarks: "ack queue full" closed it).
     */
    @Test
    void manySyncReadBatchesWaitingForOneGroupCommitAreAllAckedOnceDurable() throws Exception {
        EngineBuilder sync = TestNode.asyncEngine(dir).durability(Durability.SYNC)
            .groupCommit(1_000_000, Duration.ofSeconds(2));
        try (TestNode harness = TestNode.start(sync, TestNode.config());
             RawClient client = RawClient.connectAndHello(harness.port())) {
            for (long correlationId = 1; correlationId <= 200; correlationId++) {
                client.send(event(correlationId, 0, 11));
                Thread.sleep(1); // traffic shaping, not a wait: one read batch per event, all within one 2 s group commit
            }
            List<RawFrame> frames = client.readUntilAck(200, RawClient.TIMEOUT);
            assertThat(frames).allMatch(f -> f.kind() == FrameKind.ACK);
            long durableGate = harness.engine().durableGate();
            assertThat(frames.getLast().journalIndex()).as("ACKed only once durable").isLessThan(durableGate);

            client.send(event(201, 0, 11));
            assertThat(client.readUntilAck(201, RawClient.TIMEOUT).getLast().correlationId())
                .as("the connection is still open").isEqualTo(201);
            assertThat(harness.counters().protocolErrors()).isZero();
        }
    }

    @Test
    void aDuplicateEventIdIsAckedWithIndexZeroAndJournaledOnce() throws IOException {
        long firstIndex;
        try (TestNode harness = TestNode.start(TestNode.asyncEngine(dir), TestNode.config());
             RawClient client = RawClient.connectAndHello(harness.port());
             RawClient other = RawClient.connectAndHello(harness.port())) {
            client.send(event(1, 77, 5));
            RawFrame first = client.readUntilAck(1, RawClient.TIMEOUT).getLast();
            firstIndex = first.journalIndex();

            client.send(event(2, 77, 5));
            assertThat(client.readUntilAck(2, RawClient.TIMEOUT)).extracting(RawFrame::toString)
                .containsExactly("ACK(2, index 0)");

            // a duplicate from another connection, and one pipelined behind its original
            other.send(event(1, 77, 6));
            assertThat(other.readUntilAck(1, RawClient.TIMEOUT)).extracting(RawFrame::toString)
                .containsExactly("ACK(1, index 0)");
            client.send(concat(event(3, 88, 5), event(4, 88, 5)));
            List<RawFrame> frames = client.readUntilAck(4, RawClient.TIMEOUT);
            assertThat(frames.getLast().toString()).isEqualTo("ACK(4, index 0)");

            client.send(event(5, 99, 5));
            long fifthIndex = client.readUntilAck(5, RawClient.TIMEOUT).getLast().journalIndex();
            Await.until("the stage saw 3 distinct events", RawClient.TIMEOUT, () -> harness.stage().count() == 3);
            assertThat(harness.stage().seen()).extracting(RecordingHandler.Seen::eventId).containsExactly(77L, 88L, 99L);
            assertThat(harness.stage().seen().getFirst().index()).isEqualTo(firstIndex);
            assertThat(harness.stage().seen().getLast().index()).isEqualTo(fifthIndex);
            assertThat(harness.counters().duplicates()).isEqualTo(3);
            assertThat(harness.engine().metrics().published()).isEqualTo(3);
        }
        Map<Long, Journaled> journal = readJournal();
        assertThat(journal.values()).extracting(Journaled::eventId).containsExactlyInAnyOrder(77L, 88L, 99L);
        assertThat(journal.get(firstIndex)).isEqualTo(new Journaled(1, 77, 5));
    }

    @Test
    void aRejectIsSentBeforeTheAckThatCoversIt() throws IOException {
        try (TestNode harness = TestNode.start(TestNode.asyncEngine(dir), TestNode.config());
             RawClient client = RawClient.connectAndHello(harness.port())) {
            client.send(concat(event(1, 0, 2), event(2, 0, 2, 4, new byte[0]), event(3, 0, 2)));
            List<RawFrame> frames = client.readUntilAck(3, RawClient.TIMEOUT);
            ServerRejectTest.assertRejectsPrecedeTheirAcks(frames);
            assertThat(frames).filteredOn(f -> f.kind() == FrameKind.REJECT).extracting(RawFrame::correlationId)
                .containsExactly(2L);
            Await.until("events 1 and 3 handled", RawClient.TIMEOUT, () -> harness.stage().count() == 2);
            assertThat(frames.getLast().journalIndex()).isEqualTo(harness.stage().seen().getLast().index());

            // an ACK whose last event was rejected carries index 0
            client.send(concat(event(4, 0, 2), event(5, 0, 2, 7, new byte[0])));
            List<RawFrame> more = client.readUntilAck(5, RawClient.TIMEOUT);
            ServerRejectTest.assertRejectsPrecedeTheirAcks(more);
            assertThat(more).filteredOn(f -> f.kind() == FrameKind.REJECT).extracting(RawFrame::correlationId)
                .containsExactly(5L);
            assertThat(more.getLast().toString()).isEqualTo("ACK(5, index 0)");
        }
        assertThat(readJournal().values()).extracting(Journaled::correlationId).containsExactlyInAnyOrder(1L, 3L, 4L);
    }

    /** Every record of the (closed) engine's journal, by index, read as {@code ferrite replay} reads it. */
    private Map<Long, Journaled> readJournal() {
        Map<Long, Journaled> records = new HashMap<>();
        EventFrame event = new EventFrame();
        try (ChronicleJournal chronicle = ChronicleJournal.open(JournalConfig.of(dir.resolve("events")));
             ChronicleJournalReader reader = chronicle.newReader(false)) {
            JournalTesting.readAll(reader, (memory, offset, length, index, endOfBatch) -> {
                event.wrap(memory, offset + JournalRecord.EVENT_OFFSET, length - JournalRecord.EVENT_OFFSET);
                records.put(index, new Journaled(event.correlationId(), event.eventId(), event.key()));
            });
        }
        return records;
    }
}
