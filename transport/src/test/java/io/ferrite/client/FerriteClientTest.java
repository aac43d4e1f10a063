package io.ferrite.client;

import io.ferrite.transport.node.TestNode;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.transport.server.ServerConfig;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client against a real {@link io.ferrite.transport.server.FerriteServer} and engine on loopback. */
class FerriteClientTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final byte[] PAYLOAD = "hello ferrite".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void handshakeGetsWelcome() throws Exception {
        try (TestNode server = TestNode.memory();
             FerriteClient client = FerriteClient.connect(server.client().build())) {
            assertThat(client.isConnected()).isTrue();
            assertThat(client.maxFrameLength()).isEqualTo(1 << 20);
            assertThat(client.lastPublished()).isZero();
            assertThat(client.lastAcked()).isZero();
            assertThat(client.maxPayloadLength()).isEqualTo((1 << 20) - 44);
        }
    }

    @Test
    void missingOrWrongTokenIsUnauthorizedAndTheRightOneConnects() throws Exception {
        byte[] token = "t0ken".getBytes(StandardCharsets.UTF_8);
        try (TestNode server = TestNode.start(TestNode.memoryEngine(), TestNode.config().token(token))) {
            for (byte[] offered : new byte[][] {null, "wrong".getBytes(StandardCharsets.UTF_8)}) {
                assertThatThrownBy(() -> FerriteClient.connect(server.client().token(offered).build()))
                    .isInstanceOfSatisfying(FerriteClientException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
            }
            try (FerriteClient client = FerriteClient.connect(server.client().token(token).build())) {
                assertThat(client.publish(1, 1, 1, 0, PAYLOAD)).isEqualTo(1);
                client.flush();
                assertThat(client.awaitAcked(1, WAIT)).isTrue();
            }
        }
    }

    @Test
    void connectToAClosedPortFailsWithoutACode() throws Exception {
        int port;
        try (TestNode server = TestNode.memory()) {
            port = server.port();
        }
        assertThatThrownBy(() -> FerriteClient.connect(ClientConfig.defaults("127.0.0.1", port)))
            .isInstanceOfSatisfying(FerriteClientException.class, e -> assertThat(e.code()).isNull());
    }

    @Test
    void everyPublishedEventIsAckedWithIncreasingJournalIndices() throws Exception {
        int count = 10_000;
        RecordingListener listener = new RecordingListener();
        try (Arena arena = Arena.ofConfined();
             TestNode server = TestNode.async(dir, 0);
             FerriteClient client = FerriteClient.connect(server.client().build(), listener)) {
            MemorySegment payload = arena.allocate(32);
            for (int i = 1; i <= count; i++) {
                payload.set(ValueLayout.JAVA_INT_UNALIGNED, 0, i);
                long correlationId = publishWaiting(client, i, payload);
                assertThat(correlationId).isEqualTo(i);
                if (i % 100 == 0) {
                    client.flush();
                }
            }
            client.flush();
            assertThat(client.awaitAcked(count, WAIT)).isTrue();
            Await.until("handled " + count, WAIT, () -> server.handled() == count);
        }
        List<Long> correlationIds = listener.acks.stream().map(RecordingListener.Ack::correlationId).toList();
        List<Long> indices = listener.acks.stream().map(RecordingListener.Ack::journalIndex).toList();
        assertThat(correlationIds).isSorted().doesNotHaveDuplicates().last().isEqualTo((long) count);
        assertThat(indices).isSorted().doesNotHaveDuplicates().allSatisfy(index -> assertThat(index).isPositive());
        assertThat(listener.rejects).isEmpty();
    }

    @Test
    void perEventFuturesComplete() throws Exception {
        try (TestNode server = TestNode.async(dir, 0);
             FerriteClient client = FerriteClient.connect(server.client().build())) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 1; i <= 200; i++) {
                futures.add(client.publishAsync(1, i, i, 0, PAYLOAD));
            }
            long previous = -1;
            for (CompletableFuture<Long> future : futures) {
                long index = future.get(30, TimeUnit.SECONDS);
                if (index != FerriteClient.INDEX_NOT_REPORTED) {
                    assertThat(index).isGreaterThan(previous);
                    previous = index;
                }
            }
            assertThat(futures.getLast().get()).as("the last event is named by the last ACK").isNotNegative();
        }
    }

    @Test
    void rejectIsSurfacedAndTheConnectionStaysUsable() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (TestNode server = TestNode.memory();
             FerriteClient client = FerriteClient.connect(server.client().build(), listener)) {
            assertThat(client.publish(1, 1, 1, 0, PAYLOAD)).isEqualTo(1);
            assertThat(client.publish(1, 1, 2, 4, PAYLOAD)).isEqualTo(2);
            assertThat(client.publish(1, 1, 3, 3, PAYLOAD)).isEqualTo(3);
            client.flush();
            assertThat(client.awaitAcked(3, WAIT)).isTrue();
            assertThat(listener.rejects).containsExactly(
                new RecordingListener.Refusal(2, ErrorCode.INVALID_EVENT, "priority must be 0..3"));

            CompletableFuture<Long> refused = client.publishAsync(1, 1, 4, 9, PAYLOAD);
            assertThatThrownBy(() -> refused.get(30, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(FerriteClientException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_EVENT);
                    assertThat(e.correlationId()).isEqualTo(4);
                });

            assertThat(client.publish(1, 1, 5, 0, PAYLOAD)).isEqualTo(5);
            client.flush();
            assertThat(client.awaitAcked(5, WAIT)).isTrue();
            assertThat(client.isConnected()).isTrue();
            assertThat(client.reconnects()).isZero();
            Await.until("three accepted events handled", WAIT, () -> server.handled() == 3);
        }
    }

    @Test
    void fullEventWindowBackPressuresThenRecovers() throws Exception {
        try (TestNode server = TestNode.memory();
             FerriteClient client = FerriteClient.connect(server.client().window(1 << 16, 16).build())) {
            for (int i = 1; i <= 16; i++) {
                assertThat(client.publish(1, 1, i, 0, PAYLOAD)).isEqualTo(i);
            }
            assertThat(client.publish(1, 1, 17, 0, PAYLOAD)).isEqualTo(ClientResult.BACK_PRESSURED);
            assertThat(client.publishAsync(1, 1, 17, 0, PAYLOAD)).isCompletedExceptionally();
            client.flush();
            assertThat(client.awaitAcked(16, WAIT)).isTrue();
            assertThat(client.publish(1, 1, 17, 0, PAYLOAD)).isEqualTo(17);
            client.flush();
            assertThat(client.awaitAcked(17, WAIT)).isTrue();
        }
    }

    @Test
    void fullByteWindowBackPressuresThenRecovers() throws Exception {
        byte[] payload = new byte[1000]; // a 1048-byte frame: three fit in 4096 bytes
        try (TestNode server = TestNode.memory();
             FerriteClient client = FerriteClient.connect(server.client().window(4096, 1024).build())) {
            assertThat(client.publish(1, 1, 1, 0, new byte[4096])).isEqualTo(ClientResult.INVALID_ARGUMENT);
            for (int i = 1; i <= 3; i++) {
                assertThat(client.publish(1, 1, i, 0, payload)).isEqualTo(i);
            }
            assertThat(client.publish(1, 1, 4, 0, payload)).isEqualTo(ClientResult.BACK_PRESSURED);
            client.flush();
            assertThat(client.awaitAcked(3, WAIT)).isTrue();
            // The ring wraps from here on: frames straddle its end and are copied to its start.
            for (int i = 4; i <= 400; i++) {
                long result;
                while ((result = client.publish(1, 1, i, 0, payload)) == ClientResult.BACK_PRESSURED) {
                    client.flush();
                    Thread.yield();
                }
                assertThat(result).isEqualTo(i);
            }
            client.flush();
            assertThat(client.awaitAcked(400, WAIT)).isTrue();
            Await.until("400 handled", WAIT, () -> server.handled() == 400);
        }
    }

    @Test
    void closeFlushesAndWaitsForOutstandingAcks() throws Exception {
        try (TestNode server = TestNode.memory()) {
            FerriteClient client = FerriteClient.connect(server.client().build());
            for (int i = 1; i <= 1_000; i++) {
                assertThat(client.publish(1, i, i, 0, PAYLOAD)).isEqualTo(i);
            }
            assertThat(client.close(WAIT)).isTrue();
            assertThat(client.lastAcked()).isEqualTo(1_000);
            assertThat(client.isClosed()).isTrue();
            assertThat(client.publish(1, 1, 1, 0, PAYLOAD)).isEqualTo(ClientResult.CLOSED);
            assertThat(client.readerThread().isAlive()).isFalse();
            Await.until("1000 handled", WAIT, () -> server.handled() == 1_000);
        }
    }

    @Test
    void invalidPriorityIsRefusedLocally() throws Exception {
        try (TestNode server = TestNode.memory();
             FerriteClient client = FerriteClient.connect(server.client().build())) {
            assertThat(client.publish(1, 1, 1, 256, PAYLOAD)).isEqualTo(ClientResult.INVALID_ARGUMENT);
            assertThat(client.publish(1, 1, 1, -1, PAYLOAD)).isEqualTo(ClientResult.INVALID_ARGUMENT);
            assertThat(client.nextCorrelationId()).isEqualTo(1);
        }
    }

    private static long publishWaiting(FerriteClient client, long eventId, MemorySegment payload) {
        long result;
        while ((result = client.publish(1, eventId % 16, eventId, 0, payload, 0, (int) payload.byteSize()))
            == ClientResult.BACK_PRESSURED) {
            client.flush();
            Thread.yield();
        }
        return result;
    }
}
