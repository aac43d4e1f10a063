package io.ferrite.client;

import io.ferrite.protocol.ErrorCode;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client against {@link FakeFwpServer}, a scripted FWP/1 server: the handshake fields, the
 * resend after a dropped connection (same correlationIds and eventIds), ERROR and PING handling.
 */
class FerriteClientFakeServerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.UTF_8);

    private FakeFwpServer server;

    @BeforeEach
    void start() throws Exception {
        server = new FakeFwpServer();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private ClientConfig.Builder config() {
        return ClientConfig.builder("127.0.0.1", server.port())
            .reconnect(true, Duration.ofMillis(1), Duration.ofMillis(50));
    }

    @Test
    void helloCarriesTokenAndNameAndWelcomeIsRead() throws Exception {
        server.requiredToken = "s3cret".getBytes(StandardCharsets.UTF_8);
        try (FerriteClient client = FerriteClient.connect(config().token(server.requiredToken).clientName("unit").build())) {
            assertThat(client.isConnected()).isTrue();
            assertThat(client.instanceId()).isEqualTo(4200);
            assertThat(client.maxFrameLength()).isEqualTo(1 << 20);
            assertThat(server.helloNames).containsExactly("unit");
        }
    }

    @Test
    void wrongTokenFailsTheConnectWithUnauthorized() {
        server.requiredToken = "s3cret".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> FerriteClient.connect(config().token("nope".getBytes(StandardCharsets.UTF_8)).build()))
            .isInstanceOfSatisfying(FerriteClientException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
                assertThat(e.getMessage()).isEqualTo("wrong token");
            });
    }

    @Test
    void eventFramesCarryTheirFieldsAndIncreasingCorrelationIds() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (FerriteClient client = FerriteClient.connect(config().build(), listener)) {
            for (int i = 1; i <= 5; i++) {
                assertThat(client.publish(7, 100 + i, 9000 + i, i % 4, PAYLOAD)).isEqualTo(i);
            }
            assertThat(client.flush()).isEqualTo(ClientResult.OK);
            assertThat(client.awaitAcked(5, WAIT)).isTrue();
        }
        assertThat(server.events).extracting(FakeFwpServer.Event::correlationId).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(server.events).extracting(FakeFwpServer.Event::eventId).containsExactly(9001L, 9002L, 9003L, 9004L, 9005L);
        assertThat(server.events).extracting(FakeFwpServer.Event::key).containsExactly(101L, 102L, 103L, 104L, 105L);
        assertThat(server.events).extracting(FakeFwpServer.Event::priority).containsExactly(1, 2, 3, 0, 1);
        assertThat(server.events).allSatisfy(event -> {
            assertThat(event.type()).isEqualTo(7);
            assertThat(event.payloadLength()).isEqualTo(PAYLOAD.length);
        });
        assertThat(listener.acks).extracting(RecordingListener.Ack::journalIndex).containsExactly(1001L, 1002L, 1003L, 1004L, 1005L);
    }

    @Test
    void droppedConnectionIsReopenedAndUnackedEventsAreResentWithTheirEventIds() throws Exception {
        server.behaviour = (connection, event) -> {
            if (connection.number > 0) {
                connection.ack(event.correlationId(), 1000 + event.correlationId());
            } else if (event.correlationId() == 50) {
                connection.ack(20, 1020);
                connection.close(); // events 21..50 were read but never ACKed
            }
        };
        RecordingListener listener = new RecordingListener();
        try (FerriteClient client = FerriteClient.connect(config().build(), listener)) {
            for (int i = 1; i <= 50; i++) {
                assertThat(client.publish(1, i, 7000 + i, 0, PAYLOAD)).isEqualTo(i);
            }
            client.flush();
            Await.until("reconnected and resent 21..50", WAIT,
                () -> client.reconnects() == 1 && server.eventsOn(1).size() == 30,
                () -> "reconnects=" + client.reconnects() + " onSecond=" + server.eventsOn(1).size());
            for (int i = 51; i <= 100; i++) {
                assertThat(client.publish(1, i, 7000 + i, 0, PAYLOAD)).isEqualTo(i);
            }
            client.flush();
            assertThat(client.awaitAcked(100, WAIT)).isTrue();
        }
        assertThat(server.eventsOn(0)).extracting(FakeFwpServer.Event::correlationId)
            .containsExactlyElementsOf(range(1, 50));
        List<FakeFwpServer.Event> second = server.eventsOn(1);
        assertThat(second).extracting(FakeFwpServer.Event::correlationId).containsExactlyElementsOf(range(21, 100));
        assertThat(second).allSatisfy(event -> assertThat(event.eventId()).isEqualTo(7000 + event.correlationId()));
        assertThat(listener.reconnects).containsExactly(new RecordingListener.Resend(21, 50));
        assertThat(listener.disconnects).hasSize(1);
        assertThat(listener.acks.getFirst()).isEqualTo(new RecordingListener.Ack(20, 1020));
        assertThat(listener.acks.getLast()).isEqualTo(new RecordingListener.Ack(100, 1100));
    }

    @Test
    void withoutReconnectADroppedConnectionClosesTheClient() throws Exception {
        server.behaviour = (connection, event) -> connection.close();
        try (FerriteClient client = FerriteClient.connect(config().reconnect(false).build())) {
            CompletableFuture<Long> future = client.publishAsync(1, 1, 1, 0, PAYLOAD);
            Await.until("client closed", WAIT, client::isClosed);
            assertThat(client.publish(1, 1, 2, 0, PAYLOAD)).isEqualTo(ClientResult.CLOSED);
            assertThat(client.flush()).isEqualTo(ClientResult.CLOSED);
            assertThatThrownBy(() -> future.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(FerriteClientException.class);
            assertThat(client.closeReason()).startsWith("connection lost");
        }
    }

    @Test
    void errorFrameIsSurfacedAndAFinalCodeClosesTheClient() throws Exception {
        server.behaviour = (connection, event) -> {
            if (event.correlationId() < 3) {
                connection.ack(event.correlationId(), 1000 + event.correlationId());
            } else {
                connection.error(ErrorCode.PROTOCOL_VIOLATION, "boom");
            }
        };
        RecordingListener listener = new RecordingListener();
        try (FerriteClient client = FerriteClient.connect(config().build(), listener)) {
            client.publish(1, 1, 1, 0, PAYLOAD);
            client.publish(1, 1, 2, 0, PAYLOAD);
            CompletableFuture<Long> third = client.publishAsync(1, 1, 3, 0, PAYLOAD);
            Await.until("client closed", WAIT, client::isClosed);
            assertThat(listener.errors).containsExactly(new RecordingListener.Refusal(0, ErrorCode.PROTOCOL_VIOLATION, "boom"));
            assertThat(client.lastAcked()).isEqualTo(2);
            assertThat(client.publish(1, 1, 4, 0, PAYLOAD)).isEqualTo(ClientResult.CLOSED);
            assertThat(client.closeReason()).contains("PROTOCOL_VIOLATION").contains("boom");
            assertThatThrownBy(() -> third.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(FerriteClientException.class);
            assertThat(client.reconnects()).isZero();
        }
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void retryableErrorLeadsToAReconnect() throws Exception {
        server.behaviour = (connection, event) -> {
            if (connection.number == 0) {
                connection.error(ErrorCode.SHUTTING_DOWN, "bye");
            } else {
                connection.ack(event.correlationId(), 1000 + event.correlationId());
            }
        };
        RecordingListener listener = new RecordingListener();
        try (FerriteClient client = FerriteClient.connect(config().build(), listener)) {
            client.publish(1, 1, 1, 0, PAYLOAD);
            client.flush();
            assertThat(client.awaitAcked(1, WAIT)).isTrue();
            assertThat(listener.errors).extracting(RecordingListener.Refusal::code).containsExactly(ErrorCode.SHUTTING_DOWN);
            assertThat(client.reconnects()).isEqualTo(1);
        }
        assertThat(server.eventsOn(1)).extracting(FakeFwpServer.Event::eventId).containsExactly(1L);
    }

    @Test
    void rejectFromTheServerCompletesTheFutureExceptionallyAndTheAckCoversIt() throws Exception {
        server.behaviour = (connection, event) -> {
            if (event.eventId() == 2) {
                connection.reject(event.correlationId(), ErrorCode.OVERLOADED, "full");
            }
            connection.ack(event.correlationId(), event.eventId() == 2 ? 0 : 1000 + event.correlationId());
        };
        RecordingListener listener = new RecordingListener();
        try (FerriteClient client = FerriteClient.connect(config().build(), listener)) {
            CompletableFuture<Long> first = client.publishAsync(1, 1, 1, 0, PAYLOAD);
            CompletableFuture<Long> second = client.publishAsync(1, 1, 2, 0, PAYLOAD);
            CompletableFuture<Long> third = client.publishAsync(1, 1, 3, 0, PAYLOAD);
            assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo(1001);
            assertThat(third.get(20, TimeUnit.SECONDS)).isEqualTo(1003);
            assertThatThrownBy(() -> second.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(FerriteClientException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
                    assertThat(e.correlationId()).isEqualTo(2);
                    assertThat(e.getMessage()).isEqualTo("full");
                });
            assertThat(listener.rejects).containsExactly(new RecordingListener.Refusal(2, ErrorCode.OVERLOADED, "full"));
        }
    }

    @Test
    void pingIsAnsweredWithPong() throws Exception {
        server.behaviour = (connection, event) -> {
            connection.ping(77);
            connection.ack(event.correlationId(), 1);
        };
        try (FerriteClient client = FerriteClient.connect(config().build())) {
            client.publish(1, 1, 1, 0, PAYLOAD);
            client.flush();
            assertThat(client.awaitAcked(1, WAIT)).isTrue();
            Await.until("PONG 77 received", WAIT, () -> server.pongs.contains(77L));
        }
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }
}
