package io.ferrite.transport.server;

import io.ferrite.engine.RecordingHandler;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.FrameKind;
import io.ferrite.testing.Await;
import io.ferrite.testing.RawClient;
import io.ferrite.testing.RawFrame;
import io.ferrite.testing.RawFrames;
import io.ferrite.transport.node.TestNode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One contract for every Netty transport the server offers: HELLO / WELCOME, 1000 pipelined
 * EVENTs all ACKed and handled in order, PING / PONG, and an ERROR followed by a close. A
 * transport this machine cannot run is skipped, saying why.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServerTransportContractTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportKind.class, names = {"EPOLL", "IO_URING", "NIO"})
    void helloEventsPingAndErrorWork(TransportKind kind) throws IOException {
        Optional<Throwable> cause = kind.unavailabilityCause();
        cause.ifPresent(c -> System.out.println("transport " + kind + " unavailable here: " + c));
        assumeTrue(cause.isEmpty(), () -> "transport " + kind + " unavailable: " + cause.orElseThrow());

        try (TestNode harness = TestNode.start(TestNode.memoryEngine(),
                TestNode.config().transport(kind))) {
            assertThat(harness.server().transport()).isEqualTo(kind);
            try (RawClient client = RawClient.connectAndHello(harness.port())) {
                client.send(RawFrames.events(1, 1000, 5_000, 21));
                List<RawFrame> frames = client.readUntilAck(1000, RawClient.TIMEOUT);
                assertThat(frames).allMatch(f -> f.kind() == FrameKind.ACK);
                client.send(RawFrames.ping(1234));
                assertThat(client.next(RawClient.TIMEOUT).toString()).isEqualTo("PONG(1234)");
                Await.until("the stage saw all 1000", RawClient.TIMEOUT, () -> harness.stage().count() == 1000);
                assertThat(harness.stage().seen()).extracting(RecordingHandler.Seen::correlationId)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 1000).boxed().toList());

                client.send(RawFrames.frame(FrameKind.PING, 3, new byte[8]));
                client.expectErrorAndClose(ErrorCode.PROTOCOL_VIOLATION);
            }
            Await.until("the connection is gone on the server", RawClient.TIMEOUT,
                () -> harness.counters().connectionsOpen() == 0);
        }
    }
}
