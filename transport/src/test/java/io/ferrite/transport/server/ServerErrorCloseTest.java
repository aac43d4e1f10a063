package io.ferrite.transport.server;

import io.ferrite.protocol.FrameKind;
import io.ferrite.testing.Await;
import io.ferrite.testing.RawClient;
import io.ferrite.testing.RawFrame;
import io.ferrite.testing.RawFrames;
import io.ferrite.transport.node.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rule 8 ("the server sends ERROR, then closes") for a client that never reads: the ERROR cannot
 * be written, yet the connection still closes within the configured bound. The outbound bytes
 * stay below the high water mark on purpose, so the slow-consumer timer never starts and only
 * the ERROR's own close timer can end the connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerErrorCloseTest {
    private static final Duration CLOSE_BOUND = Duration.ofMillis(500);

    @Test
    void anErrorToAClientThatNeverReadsStillClosesTheConnection() throws Exception {
        // Netty charges each pending PONG 16 bytes plus ~96 bytes of bookkeeping: 512 Ki PONGs stay well
        // below a 128 MiB high water mark, so the channel stays writable
        ServerConfig.Builder config = TestNode.config().slowConsumer(64 << 20, 128 << 20, CLOSE_BOUND);
        try (TestNode harness = TestNode.start(TestNode.memoryEngine(), config);
             RawClient client = RawClient.connect(harness.port(), 4096)) {
            client.hello();
            // 8 MiB of PINGs whose PONGs are never read: more than the kernel's socket buffers hold
            // (4 KiB receive here, at most 4 MiB of send buffer by default), so the rest waits in Netty
            byte[] pings = new byte[4096 * 16];
            for (int i = 0; i < 4096; i++) {
                System.arraycopy(RawFrames.ping(i), 0, pings, i * 16, 16);
            }
            for (int i = 0; i < 128; i++) {
                client.send(pings);
            }
            client.send(RawFrames.frame(FrameKind.PING, 1, new byte[8])); // non-zero flags: ERROR, then close
            Await.until("the server answered the bad frame with ERROR", Duration.ofSeconds(20),
                () -> harness.counters().protocolErrors() == 1);
            long errorSeen = System.nanoTime();
            Await.until("the server closed the connection although its ERROR could not be written",
                CLOSE_BOUND.plusSeconds(5), () -> harness.counters().connectionsOpen() == 0,
                () -> "open connections " + harness.counters().connectionsOpen());
            assertThat(Duration.ofNanos(System.nanoTime() - errorSeen)).isLessThan(CLOSE_BOUND.plusSeconds(2));
            assertThat(harness.counters().slowConsumersClosed()).as("closed by the ERROR's timer, not as a slow consumer")
                .isZero();
        }
    }
}
