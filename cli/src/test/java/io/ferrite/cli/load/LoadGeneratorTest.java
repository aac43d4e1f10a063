package io.ferrite.cli.load;

import io.ferrite.client.ClientConfig;
import io.ferrite.client.FerriteClientException;
import io.ferrite.protocol.FrameHeader;
import io.ferrite.protocol.FrameKind;
import io.ferrite.testing.Await;
import io.ferrite.testing.RawFrames;
import io.ferrite.transport.node.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Small {@link LoadGenerator} runs against a real server, and the exact summary formats. */
class LoadGeneratorTest {
    private static final Pattern LINE = Pattern.compile(
        "sent=\\d+ acked=\\d+ rejected=\\d+ errors=\\d+ seconds=\\d+\\.\\d{3} rate=\\d+/s "
            + "p50_us=\\d+ p99_us=\\d+ p999_us=\\d+ p9999_us=\\d+ max_us=\\d+");
    private static final Pattern JSON = Pattern.compile(
        "\\{\"sent\":\\d+,\"acked\":\\d+,\"rejected\":\\d+,\"errors\":\\d+,\"seconds\":\\d+\\.\\d{3},\"rate\":\\d+,"
            + "\"p50_us\":\\d+,\"p99_us\":\\d+,\"p999_us\":\\d+,\"p9999_us\":\\d+,\"max_us\":\\d+}");

    @TempDir
    Path dir;

    @Test
    void pacedRunSendsAtTheRateAndAcksEverything() throws Exception {
        List<LoadProgress> progress = new CopyOnWriteArrayList<>();
        Summary summary;
        try (TestNode server = TestNode.async(dir, 0)) {
            summary = LoadGenerator.run(LoadConfig.of(server.client().build(), 20_000, 10_000, 64, 1), progress::add);
            assertThat(server.handled()).isLessThanOrEqualTo(20_000);
        }
        System.out.println("paced: " + summary.line());
        assertThat(summary.line()).matches(LINE);
        assertThat(summary.json()).matches(JSON);
        assertThat(summary.sent()).isEqualTo(20_000);
        assertThat(summary.acked()).isEqualTo(20_000);
        assertThat(summary.rejected()).isZero();
        assertThat(summary.errors()).isZero();
        assertThat(summary.seconds()).isBetween(1.95, 30.0); // 20k events due over 2 s
        assertThat(summary.p50Micros()).isPositive().isLessThanOrEqualTo(summary.p99Micros());
        assertThat(summary.p99Micros()).isLessThanOrEqualTo(summary.p999Micros());
        assertThat(summary.p9999Micros()).isLessThanOrEqualTo(summary.maxMicros());
        assertThat(progress).isNotEmpty();
        assertThat(progress.getLast().sent()).isLessThanOrEqualTo(20_000);
    }

    @Test
    void unpacedRunOverTwoConnectionsAcksEverything() throws Exception {
        Summary summary;
        try (TestNode server = TestNode.memory()) {
            summary = LoadGenerator.run(LoadConfig.of(server.client().build(), 20_000, 0, 100, 2), p -> { });
            Await.until("every event handled", Duration.ofSeconds(30),
                () -> server.handled() == 20_000);
        }
        System.out.println("unpaced: " + summary.line());
        assertThat(summary.line()).matches(LINE);
        assertThat(summary.sent()).isEqualTo(20_000);
        assertThat(summary.acked()).isEqualTo(20_000);
        assertThat(summary.errors()).isZero();
        assertThat(summary.rate()).isPositive();
    }

    @Test
    void smallWindowAndTokenOverThreeConnections() throws Exception {
        byte[] token = "load".getBytes(StandardCharsets.UTF_8);
        Summary summary;
        try (TestNode server = TestNode.start(TestNode.memoryEngine(), TestNode.config().token(token))) {
            ClientConfig client = server.client().token(token).window(1 << 14, 64).build();
            summary = LoadGenerator.run(LoadConfig.of(client, 9_001, 0, 32, 3), p -> { });
        }
        assertThat(summary.sent()).isEqualTo(9_001);
        assertThat(summary.acked()).isEqualTo(9_001);
        assertThat(summary.errors()).isZero();
        assertThat(summary.maxMicros()).isLessThan(30_000_000);
    }

    @Test
    void theWindowBoundsEventsInFlight() throws Exception {
        try (SilentServer server = new SilentServer()) {
            ClientConfig client = ClientConfig.builder("127.0.0.1", server.port()).build();
            Summary summary = LoadGenerator.run(LoadConfig.of(client, 1_000, 0, 16, 1).withWindow(8)
                .withAckTimeout(Duration.ofMillis(500)), p -> { });
            assertThat(summary.sent()).isEqualTo(8);
            assertThat(summary.acked()).isZero();
            Await.until("8 events received", Duration.ofSeconds(10), () -> server.events.get() == 8);
        }
    }

    @Test
    void eventsDueDuringTheWarmupAreLeftOutOfTheRateAndTheLatencyFigures() throws Exception {
        Summary summary;
        try (TestNode server = TestNode.memory()) {
            // 4,000 events at 2,000/s: the first second is warm-up, so half of them are measured
            summary = LoadGenerator.run(LoadConfig.of(server.client().build(), 4_000, 2_000, 16, 1)
                .withWarmup(Duration.ofSeconds(1)), p -> { });
        }
        assertThat(summary.sent()).isEqualTo(4_000);
        assertThat(summary.acked()).as("every event is still checked").isEqualTo(4_000);
        assertThat(summary.latencyNanos().getTotalCount()).as("events in the latency figures").isEqualTo(2_000);
        assertThat(summary.rate()).as("the rate of the measured part").isBetween(1_000L, 2_500L);
        assertThat(summary.seconds()).as("the measured part's length").isBetween(0.95, 10.0);
    }

    @Test
    void aWindowBeyondTheClientsInFlightLimitIsRefused() {
        ClientConfig client = ClientConfig.builder("127.0.0.1", 1).window(1 << 16, 64).build();
        assertThatThrownBy(() -> LoadConfig.of(client, 1, 0, 8, 1).withWindow(65))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("window must be 1..64 events (the client's in-flight limit), was 65");
    }

    @Test
    void connectFailureIsThrownBeforeAnythingIsSent() {
        int port;
        try (TestNode server = TestNode.memory()) {
            port = server.port();
        }
        LoadConfig config = LoadConfig.of(ClientConfig.defaults("127.0.0.1", port), 100, 0, 8, 2);
        assertThatThrownBy(() -> LoadGenerator.run(config, p -> { }))
            .isInstanceOf(FerriteClientException.class);
    }

    /** Answers HELLO with WELCOME, then counts EVENT frames and never ACKs one. */
    private static final class SilentServer implements AutoCloseable {
        final AtomicInteger events = new AtomicInteger();
        private final ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final Thread thread = Thread.ofPlatform().daemon().name("silent-fwp").start(this::serve);

        SilentServer() throws IOException {
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            try (Socket client = socket.accept()) {
                DataInputStream in = new DataInputStream(new BufferedInputStream(client.getInputStream()));
                RawFrames.read(in); // HELLO
                client.getOutputStream().write(RawFrames.welcome(FrameHeader.DEFAULT_MAX_FRAME_LENGTH, 1));
                while (RawFrames.read(in).kind() == FrameKind.EVENT) {
                    events.incrementAndGet();
                }
            } catch (IOException closed) {
                // the client went away, or the test closed the socket
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(5_000);
        }
    }

    @Test
    void summaryFormatsAreExact() {
        Summary summary = new Summary(10, 9, 1, 2, 1.23456, 7, 11, 22, 33, 44, 55);
        assertThat(summary.line()).isEqualTo("sent=10 acked=9 rejected=1 errors=2 seconds=1.235 rate=7/s "
            + "p50_us=11 p99_us=22 p999_us=33 p9999_us=44 max_us=55");
        assertThat(summary.json()).isEqualTo("{\"sent\":10,\"acked\":9,\"rejected\":1,\"errors\":2,\"seconds\":1.235,"
            + "\"rate\":7,\"p50_us\":11,\"p99_us\":22,\"p999_us\":33,\"p9999_us\":44,\"max_us\":55}");
    }
}
