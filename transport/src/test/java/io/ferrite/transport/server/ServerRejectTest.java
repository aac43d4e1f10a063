package io.ferrite.transport.server;

import io.ferrite.engine.RecordingHandler;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.FrameKind;
import io.ferrite.protocol.RejectFrame;
import io.ferrite.testing.Await;
import io.ferrite.testing.RawClient;
import io.ferrite.testing.RawFrame;
import io.ferrite.testing.RawFrames;
import io.ferrite.transport.node.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static io.ferrite.testing.RawFrames.concat;
import static io.ferrite.testing.RawFrames.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PROTOCOL.md's REJECT codes over real TCP: OVERLOADED, INVALID_EVENT and SHUTTING_DOWN refuse one
 * event and keep the connection open; the REJECT comes before the ACK that covers it (rule 7).
 * JOURNAL_UNAVAILABLE is not provoked (it needs a full disk or a failing journal).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServerRejectTest {

    @Test
    void overloadedEngineWithRejectPolicyRejectsTheExcessAndKeepsTheConnection() throws Exception {
        RecordingHandler stage = RecordingHandler.blockingFirst();
        try (TestNode harness = TestNode.start(TestNode.memoryEngine().capacity(10), stage,
                TestNode.config().backpressure(BackpressurePolicy.REJECT));
             RawClient client = RawClient.connectAndHello(harness.port())) {
            client.send(event(1, 0, 3));
            client.readUntilAck(1, RawClient.TIMEOUT);
            stage.awaitBlocked(RawClient.TIMEOUT);

            // 9 more fit (capacity 10 counts the one the stage is stuck in); 11..30 do not
            client.send(RawFrames.events(2, 29, 0, 3));
            List<RawFrame> frames = client.readUntilAck(30, RawClient.TIMEOUT);
            assertRejectsPrecedeTheirAcks(frames);
            List<RawFrame> rejects = frames.stream().filter(f -> f.kind() == FrameKind.REJECT).toList();
            assertThat(rejects).extracting(RawFrame::correlationId)
                .containsExactlyElementsOf(LongStream.rangeClosed(11, 30).boxed().toList());
            assertThat(rejects).allSatisfy(r -> assertThat(ErrorCode.of(r.code())).isEqualTo(ErrorCode.OVERLOADED));
            assertThat(frames.getLast().journalIndex()).as("ACK of a rejected event carries index 0").isZero();
            assertThat(harness.counters().rejected()).isEqualTo(20);

            stage.release();
            Await.until("the stage caught up", RawClient.TIMEOUT, () -> stage.count() == 10);
            // one at a time, each handled before the next: the stage idles (parks) between events, so a
            // pipelined burst could legitimately fill 10 slots again
            for (long correlationId = 31; correlationId <= 50; correlationId++) {
                client.send(event(correlationId, 0, 3));
                List<RawFrame> after = client.readUntilAck(correlationId, RawClient.TIMEOUT);
                assertThat(after).as("after the release nothing is rejected").allMatch(f -> f.kind() == FrameKind.ACK);
                int handled = (int) correlationId - 20;
                Await.until("event " + correlationId + " handled", RawClient.TIMEOUT, () -> stage.count() == handled);
            }
            Await.until("the stage saw the later events", RawClient.TIMEOUT, () -> stage.count() == 30);
            assertThat(stage.seen()).extracting(RecordingHandler.Seen::correlationId)
                .containsExactlyElementsOf(LongStream.concat(LongStream.rangeClosed(1, 10), LongStream.rangeClosed(31, 50))
                    .boxed().toList());
        }
    }

    @Test
    void priorityAbove3IsRejectedAsInvalidAndTheNextEventIsAcked() throws IOException {
        try (TestNode harness = TestNode.start(TestNode.memoryEngine(), TestNode.config());
             RawClient client = RawClient.connectAndHello(harness.port())) {
            client.send(event(1, 0, 1, 4, new byte[0]));
            RawFrame reject = client.next(RawClient.TIMEOUT);
            assertThat(reject.kind()).as("%s", reject).isEqualTo(FrameKind.REJECT);
            assertThat(reject.correlationId()).isEqualTo(1);
            assertThat(ErrorCode.of(reject.code())).isEqualTo(ErrorCode.INVALID_EVENT);
            assertThat(reject.u16(RejectFrame.RESERVED_OFFSET)).as("REJECT reserved").isZero();
            assertThat(reject.u32(RejectFrame.MESSAGE_LENGTH_OFFSET)).as("REJECT messageLength").isEqualTo(reject.body().length - 16);
            RawFrame ackOfReject = client.next(RawClient.TIMEOUT);
            assertThat(ackOfReject.toString()).isEqualTo("ACK(1, index 0)");

            client.send(concat(event(2, 0, 1, 255, new byte[0]), event(3, 0, 1, 3, new byte[8])));
            List<RawFrame> frames = client.readUntilAck(3, RawClient.TIMEOUT);
            assertRejectsPrecedeTheirAcks(frames);
            assertThat(frames.getFirst().kind()).isEqualTo(FrameKind.REJECT);
            assertThat(frames.getFirst().correlationId()).isEqualTo(2);
            Await.until("event 3 handled", RawClient.TIMEOUT, () -> harness.stage().count() == 1);
            assertThat(harness.stage().seen().getFirst().correlationId()).isEqualTo(3);
            assertThat(frames.getLast().journalIndex()).isEqualTo(harness.stage().seen().getFirst().index());
        }
    }

    @Test
    void aPayloadTheEngineRefusesIsRejectedAsInvalid() throws IOException {
        try (TestNode harness = TestNode.start(TestNode.memoryEngine().maxPayloadLength(64),
                TestNode.config());
             RawClient client = RawClient.connectAndHello(harness.port())) {
            client.send(concat(event(1, 0, 1, 0, new byte[64]), event(2, 0, 1, 0, new byte[65]),
                event(3, 0, 1, 0, new byte[1])));
            List<RawFrame> frames = client.readUntilAck(3, RawClient.TIMEOUT);
            assertRejectsPrecedeTheirAcks(frames);
            List<RawFrame> rejects = frames.stream().filter(f -> f.kind() == FrameKind.REJECT).toList();
            assertThat(rejects).hasSize(1);
            assertThat(rejects.getFirst().correlationId()).isEqualTo(2);
            assertThat(ErrorCode.of(rejects.getFirst().code())).isEqualTo(ErrorCode.INVALID_EVENT);
            Await.until("events 1 and 3 handled", RawClient.TIMEOUT, () -> harness.stage().count() == 2);
            assertThat(harness.stage().seen()).extracting(RecordingHandler.Seen::correlationId).containsExactly(1L, 3L);
        }
    }

    @Test
    void eventsAfterTheEngineClosedAreRejectedAsShuttingDown() throws IOException {
        try (TestNode harness = TestNode.start(TestNode.memoryEngine(), TestNode.config());
             RawClient client = RawClient.connectAndHello(harness.port())) {
            client.send(event(1, 0, 1));
            client.readUntilAck(1, RawClient.TIMEOUT);
            harness.engine().close();

            client.send(concat(event(2, 0, 1), event(3, 0, 1)));
            List<RawFrame> frames = client.readUntilAck(3, RawClient.TIMEOUT);
            assertRejectsPrecedeTheirAcks(frames);
            List<RawFrame> rejects = frames.stream().filter(f -> f.kind() == FrameKind.REJECT).toList();
            assertThat(rejects).extracting(RawFrame::correlationId).containsExactly(2L, 3L);
            assertThat(rejects).allSatisfy(r -> assertThat(ErrorCode.of(r.code())).isEqualTo(ErrorCode.SHUTTING_DOWN));
            client.send(RawFrames.ping(5));
            assertThat(client.next(RawClient.TIMEOUT).toString()).as("the connection is still open").isEqualTo("PONG(5)");
        }
    }

    /**
     * Rule 7: every REJECT(c) arrives before any ACK with correlationId ≥ c, and the ACKs' correlationIds
     * strictly increase.
     */
    static void assertRejectsPrecedeTheirAcks(List<RawFrame> frames) {
        long lastAck = Long.MIN_VALUE;
        List<String> seen = new ArrayList<>();
        for (RawFrame frame : frames) {
            seen.add(frame.toString());
            if (frame.kind() == FrameKind.ACK) {
                assertThat(frame.correlationId()).as("ACKs increase: %s", seen).isGreaterThan(lastAck);
                lastAck = frame.correlationId();
            } else if (frame.kind() == FrameKind.REJECT) {
                assertThat(frame.correlationId()).as("REJECT after an ACK covering it: %s", seen).isGreaterThan(lastAck);
            }
        }
    }
}
