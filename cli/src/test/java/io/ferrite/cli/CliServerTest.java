package io.ferrite.cli;

import io.ferrite.engine.EventHandler;
import io.ferrite.client.ClientConfig;
import io.ferrite.client.ClientListener;
import io.ferrite.client.ClientResult;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.FerriteClientException;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@code ferrite run}'s flags wire into a running server, in this JVM: the server is started
 * by {@link RunCommand#start} from parsed flags (as {@code call()} does, minus the signal wait), so
 * a test may swap the do-nothing stage for a slow one. And {@code ferrite send}'s exit status and
 * exact summary line against such a server, healthy or dying mid-run.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CliServerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern SUMMARY = Pattern.compile(
        "sent=(\\d+) acked=(\\d+) rejected=(\\d+) errors=(\\d+) seconds=\\d+\\.\\d{3} rate=\\d+/s "
            + "p50_us=\\d+ p99_us=\\d+ p999_us=\\d+ p9999_us=\\d+ max_us=\\d+");
    private static final EventHandler NO_OP = (event, index, endOfBatch) -> { };

    @TempDir
    Path dir;

    @Test
    void tokenFileWelcomesTheRightTokenAndAnswersOthersUnauthorizedThenCloses() throws Exception {
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "  s3cret-token\n"); // trimmed, as the help says
        byte[] token = "s3cret-token".getBytes(StandardCharsets.UTF_8);
        try (RunCommand.Running running = parse("--durability", "memory", "--token-file", tokenFile.toString())
                .start(NO_OP)) {
            int port = running.server().port();
            try (FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", port).token(token).build())) {
                assertThat(client.publishAsync(1, 0, 0, 0, new byte[8]).get(10, TimeUnit.SECONDS)).isNotNegative();
            }
            for (byte[] wrong : List.of("wrong".getBytes(StandardCharsets.UTF_8), new byte[0])) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write(hello(wrong));
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    ByteBuffer frame = readFrame(in);
                    assertThat(frame.getShort(0)).as("kind: ERROR").isEqualTo((short) 0x0013);
                    assertThat(frame.getShort(4)).as("code: UNAUTHORIZED (4)").isEqualTo((short) 4);
                    assertThat(in.read()).as("the server closes after the ERROR").isEqualTo(-1);
                }
            }
            assertThatThrownBy(() -> FerriteClient.connect(ClientConfig.defaults("127.0.0.1", port)))
                .isInstanceOfSatisfying(FerriteClientException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
        }
    }

    @Test
    void backpressureRejectAnswersOverloadedWhenTheEngineIsFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        EventHandler stuck = (event, index, endOfBatch) -> release.await(60, TimeUnit.SECONDS);
        Rejects rejects = new Rejects();
        try (RunCommand.Running running = parse("--durability", "memory", "--backpressure", "reject").start(stuck)) {
            FerriteClient client = FerriteClient.connect(ClientConfig.defaults("127.0.0.1", running.server().port()),
                rejects);
            try {
                // the stage holds its first event, so the engine's 65,536 slots fill and the rest are refused
                long last = 0;
                while (rejects.total.get() == 0 && last < 400_000) {
                    long result = client.publish(1, 0, 0, 0, new byte[16]);
                    if (result == ClientResult.BACK_PRESSURED) {
                        client.flush();
                        Thread.onSpinWait();
                    } else {
                        assertThat(result).as("publish").isPositive();
                        last = result;
                        if ((last & 63) == 0) {
                            client.flush();
                        }
                    }
                }
                client.flush();
                assertThat(rejects.total.get()).as("REJECTs after %d events", last).isPositive();
                release.countDown();
                assertThat(client.awaitAcked(last, WAIT)).as("every event answered").isTrue();
                assertThat(rejects.byCode).containsOnlyKeys(ErrorCode.OVERLOADED);
                assertThat(running.server().counters().rejected()).isEqualTo(rejects.total.get());
            } finally {
                release.countDown();
                client.close(Duration.ZERO);
            }
        }
    }

    @Test
    void sendPrintsTheExactSummaryAndExitsZeroWhenEverythingIsAcked() throws Exception {
        try (RunCommand.Running running = parse("--durability", "memory").start(NO_OP)) {
            CliRun send = CliRun.of("send", "--port", String.valueOf(running.server().port()), "--count", "3000",
                "--size", "16", "--ack-timeout", "10s");
            assertThat(send.status()).as("%s", send).isZero();
            Matcher summary = summary(send);
            assertThat(summary.group(1)).isEqualTo("3000");
            assertThat(summary.group(2)).isEqualTo("3000");
            assertThat(summary.group(3)).isEqualTo("0");
            assertThat(summary.group(4)).isEqualTo("0");
        }
    }

    @Test
    void sendExitsNonZeroWhenTheServerDiesMidRun() throws Exception {
        RunCommand.Running running = parse("--durability", "memory").start(NO_OP);
        CompletableFuture<CliRun> send;
        try {
            send = CompletableFuture.supplyAsync(() -> CliRun.of("send", "--port",
                String.valueOf(running.server().port()), "--count", "50000000", "--size", "16", "--ack-timeout", "1s"));
            Await.until("the server accepted 20,000 events", WAIT,
                () -> running.server().counters().accepted() >= 20_000 || send.isDone());
        } finally {
            running.close();
        }
        CliRun result = send.get(30, TimeUnit.SECONDS); // without a bound on a full window's wait, send never ends
        assertThat(result.status()).as("%s", result).isEqualTo(1);
        Matcher summary = summary(result);
        long sent = Long.parseLong(summary.group(1));
        long answered = Long.parseLong(summary.group(2)) + Long.parseLong(summary.group(3));
        assertThat(sent).as("sent before the server died").isLessThan(50_000_000).isGreaterThan(answered);
        assertThat(Long.parseLong(summary.group(4))).as("errors (the dropped connection)").isPositive();
    }

    private static Matcher summary(CliRun run) {
        String line = run.out().strip();
        Matcher matcher = SUMMARY.matcher(line);
        assertThat(matcher.matches()).as("summary line '%s'", line).isTrue();
        return matcher;
    }

    /** {@code ferrite run} flags on free ports, parsed as picocli would; tests then call {@link RunCommand#start}. */
    private RunCommand parse(String... flags) {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--admin-port", "0", "--journal",
            dir.resolve("journal").toString(), "--cpus", "none"));
        args.addAll(List.of(flags));
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(args.toArray(String[]::new));
        return run;
    }

    /** A HELLO built from PROTOCOL.md alone. */
    private static byte[] hello(byte[] token) {
        byte[] name = "cli-test".getBytes(StandardCharsets.UTF_8);
        int body = 2 + 2 + 4 + token.length + 4 + name.length;
        return ByteBuffer.allocate(4 + 4 + body).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(4 + body).putShort((short) 0x0001).putShort((short) 0)
            .putShort((short) 1).putShort((short) 0).putInt(token.length).put(token).putInt(name.length).put(name)
            .array();
    }

    /** kind, flags and body of the next frame. */
    private static ByteBuffer readFrame(DataInputStream in) throws IOException {
        byte[] length = in.readNBytes(4);
        assertThat(length).as("a frame before the close").hasSize(4);
        int frameLength = ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertThat(frameLength).isBetween(4, 1 << 16);
        byte[] rest = in.readNBytes(frameLength);
        assertThat(rest).hasSize(frameLength);
        return ByteBuffer.wrap(rest).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** REJECTs by code, from the client's reader thread. */
    private static final class Rejects implements ClientListener {
        final ConcurrentHashMap<ErrorCode, AtomicLong> byCode = new ConcurrentHashMap<>();
        final AtomicLong total = new AtomicLong();

        @Override
        public void onReject(long correlationId, ErrorCode code, String message) {
            byCode.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
            total.incrementAndGet();
        }
    }
}
