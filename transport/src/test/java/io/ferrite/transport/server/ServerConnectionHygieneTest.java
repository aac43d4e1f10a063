package io.ferrite.transport.server;

import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.FrameKind;
import io.ferrite.testing.Await;
import io.ferrite.testing.RawClient;
import io.ferrite.testing.RawFrame;
import io.ferrite.testing.RawFrames;
import io.ferrite.transport.node.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * FWP/1 rule 10 and the server's limits, over real TCP: a connection that never completes its
 * HELLO (silent, or half a frame header: slowloris) is closed with ERROR PROTOCOL_VIOLATION after
 * the handshake timeout; an authenticated one that sends nothing for the idle timeout too, while
 * PINGs keep one open; past the connection limit a HELLO gets ERROR CONNECTION_LIMIT; and an
 * address that keeps guessing tokens is refused without its token being checked.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerConnectionHygieneTest {
    private static final Duration SHORT = Duration.ofMillis(300);

    @Test
    void connectionsWithoutAHelloAreClosedAfterTheHandshakeTimeout() throws Exception {
        try (TestNode node = TestNode.start(TestNode.memoryEngine(), TestNode.config().handshakeTimeout(SHORT));
             RawClient silent = RawClient.connect(node.port());
             RawClient slow = RawClient.connect(node.port());
             RawClient prompt = RawClient.connect(node.port())) {
            slow.send(new byte[] {12, 0}); // half a frame header, then nothing
            prompt.hello();
            long started = System.nanoTime();
            assertThat(silent.expectErrorAndClose(ErrorCode.PROTOCOL_VIOLATION).message()).contains("no HELLO within");
            assertThat(slow.expectErrorAndClose(ErrorCode.PROTOCOL_VIOLATION).message()).contains("handshake timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(SHORT.plusSeconds(5));
            // A negative claim needs time to pass: twice the timeout later, the connection that said
            // HELLO is still served (the ACK below is the condition checked).
            Thread.sleep(SHORT.toMillis() * 2);
            prompt.send(RawFrames.event(1, 1, 1));
            assertThat(prompt.readUntilAck(1, RawClient.TIMEOUT)).isNotEmpty();
            assertThat(node.counters().handshakeTimeouts()).isEqualTo(2);
        }
    }

    @Test
    void anAuthenticatedConnectionThatSendsNothingIsClosedAfterTheIdleTimeoutAndPingKeepsOneOpen() throws Exception {
        try (TestNode node = TestNode.start(TestNode.memoryEngine(), TestNode.config().idleTimeout(SHORT));
             RawClient idle = RawClient.connectAndHello(node.port());
             RawClient pinging = RawClient.connectAndHello(node.port())) {
            long until = System.nanoTime() + SHORT.multipliedBy(4).toNanos();
            long nonce = 0;
            while (System.nanoTime() < until) {
                pinging.send(RawFrames.ping(++nonce));
                RawFrame pong = pinging.next(RawClient.TIMEOUT);
                assertThat(pong.kind()).isEqualTo(FrameKind.PONG);
                Thread.sleep(SHORT.toMillis() / 4); // pacing: a PING every quarter of the idle timeout
            }
            assertThat(idle.expectErrorAndClose(ErrorCode.PROTOCOL_VIOLATION).message()).contains("idle timeout");
            pinging.send(RawFrames.event(1, 1, 1));
            assertThat(pinging.readUntilAck(1, RawClient.TIMEOUT)).as("PINGs kept it open").isNotEmpty();
            assertThat(node.counters().idleClosed()).isEqualTo(1);
        }
    }

    @Test
    void pastTheConnectionLimitAHelloGetsConnectionLimitAndAFreedPlaceIsTakenAgain() throws Exception {
        try (TestNode node = TestNode.start(TestNode.memoryEngine(), TestNode.config().maxConnections(2));
             RawClient first = RawClient.connectAndHello(node.port());
             RawClient second = RawClient.connectAndHello(node.port())) {
            try (RawClient third = RawClient.connect(node.port())) {
                third.send(RawFrames.hello());
                assertThat(third.expectErrorAndClose(ErrorCode.CONNECTION_LIMIT).message()).contains("maximum of 2");
            }
            first.close();
            Await.until("the first connection's place is free", Duration.ofSeconds(10),
                () -> node.counters().connectionsOpen() == 1);
            try (RawClient fourth = RawClient.connectAndHello(node.port())) {
                fourth.send(RawFrames.event(1, 1, 1));
                assertThat(fourth.readUntilAck(1, RawClient.TIMEOUT)).isNotEmpty();
            }
            assertThat(node.counters().connectionLimitRefused()).isEqualTo(1);
        }
    }

    @Test
    void anAddressThatKeepsGuessingTokensIsRefusedWithoutItsTokenBeingChecked() throws Exception {
        byte[] token = "s3cret".getBytes(StandardCharsets.UTF_8);
        try (TestNode node = TestNode.start(TestNode.memoryEngine(), TestNode.config().token(token)
                .authFailuresPerMinute(3))) {
            List<String> answers = new ArrayList<>();
            for (int guess = 0; guess < 3; guess++) {
                try (RawClient client = RawClient.connect(node.port())) {
                    client.send(RawFrames.hello(("guess-" + guess).getBytes(StandardCharsets.UTF_8)));
                    answers.add(client.expectErrorAndClose(ErrorCode.UNAUTHORIZED).message());
                }
            }
            assertThat(answers).containsOnly("wrong token");
            try (RawClient right = RawClient.connect(node.port())) {
                right.send(RawFrames.hello(token)); // the right token, from the same address, this minute
                assertThat(right.expectErrorAndClose(ErrorCode.UNAUTHORIZED).message()).contains("too many failed HELLOs");
            }
            assertThat(node.counters().authFailures()).isEqualTo(3);
            assertThat(node.counters().authThrottled()).isEqualTo(1);
        }
        try (TestNode node = TestNode.start(TestNode.memoryEngine(), TestNode.config().token(token));
             RawClient right = RawClient.connect(node.port())) {
            right.send(RawFrames.hello(token));
            right.expectWelcome(); // the limit is per server and minute: a fresh server lets it in
        }
    }
}
