package io.ferrite.transport.server;

import io.ferrite.engine.RecordingHandler;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.FrameKind;
import io.ferrite.testing.Await;
import io.ferrite.testing.RawClient;
import io.ferrite.testing.RawFrame;
import io.ferrite.testing.RawFrames;
import io.ferrite.transport.node.TestNode;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import static io.ferrite.testing.RawFrames.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Back pressure over real TCP. BLOCK: when the engine is full the server stops reading that socket
 * (no REJECT, no ACK past what the engine took) and resumes when the engine drains, losing nothing.
 * Slow consumer: a client that never reads its answers makes the server stop reading it too, keeps
 * the server's outbound memory bounded, and is closed after the slow-consumer timeout while other
 * connections carry on.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServerBackpressureTest {
    private static final Duration QUIET = Duration.ofMillis(300);

    @Test
    void blockPolicyStopsReadingWhileTheEngineIsFullAndLosesNothing() throws Exception {
        RecordingHandler stage = RecordingHandler.blockingFirst();
        try (TestNode harness = TestNode.start(TestNode.memoryEngine().capacity(100), stage,
                TestNode.config().backpressure(BackpressurePolicy.BLOCK));
             RawClient client = RawClient.connectAndHello(harness.port())) {
            client.send(event(1, 1_000_001, 9));
            client.readUntilAck(1, RawClient.TIMEOUT);
            stage.awaitBlocked(RawClient.TIMEOUT);

            // eventIds are set, so a retried frame that got journaled twice would show as a duplicate
            byte[] rest = RawFrames.events(2, 999, 1_000_000, 9);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    client.send(rest);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until("the engine holds 100 events and the server paused the connection", RawClient.TIMEOUT,
                () -> harness.engine().metrics().published() == 100 && harness.counters().backPressured() > 0,
                () -> "published " + harness.engine().metrics().published() + ", paused "
                    + harness.counters().backPressured());

            List<RawFrame> whileBlocked = new ArrayList<>(client.readUntilAck(100, RawClient.TIMEOUT));
            for (RawFrame frame = client.poll(QUIET); frame != null; frame = client.poll(QUIET)) {
                whileBlocked.add(frame);
            }
            assertThat(whileBlocked).as("answers while the engine is full").allMatch(f -> f.kind() == FrameKind.ACK);
            assertThat(whileBlocked.getLast().correlationId()).as("no ACK beyond what the engine took").isEqualTo(100);
            assertThat(harness.engine().metrics().published()).isEqualTo(100);

            stage.release();
            List<RawFrame> afterRelease = client.readUntilAck(1000, Duration.ofSeconds(30));
            assertThat(afterRelease).as("nothing is rejected under BLOCK").allMatch(f -> f.kind() == FrameKind.ACK);
            ServerRejectTest.assertRejectsPrecedeTheirAcks(afterRelease);
            writer.get(10, TimeUnit.SECONDS);

            Await.until("the stage saw all 1000", RawClient.TIMEOUT, () -> stage.count() == 1000);
            assertThat(stage.seen()).extracting(RecordingHandler.Seen::correlationId)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 1000).boxed().toList());
            assertThat(harness.counters().rejected()).isZero();
            assertThat(harness.counters().duplicates()).isZero();
            assertThat(harness.counters().accepted()).isEqualTo(1000);
        }
    }

    @Test
    void blockPolicyPushesBackOnTheClientThroughTcp() throws Exception {
        RecordingHandler stage = RecordingHandler.blockingFirst();
        // 128 MiB in all: more than the kernel's socket buffers can hold (tcp_rmem max + tcp_wmem max is
        // 36 MiB on a default Linux), so only a server that stops reading makes the writes stall early
        int events = 4000;
        byte[] payload = new byte[32 * 1024];
        try (TestNode harness = TestNode.start(TestNode.memoryEngine().capacity(100), stage,
                TestNode.config().backpressure(BackpressurePolicy.BLOCK));
             RawClient client = RawClient.connectAndHello(harness.port())) {
            long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (long correlationId = 1; correlationId <= events; correlationId++) {
                        client.send(event(correlationId, 0, 9, 0, payload));
                        written.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            stage.awaitBlocked(RawClient.TIMEOUT);
            Await.until("the engine is full and the server paused the connection", RawClient.TIMEOUT,
                () -> harness.engine().metrics().published() == 100 && harness.counters().backPressured() > 0);

            // the server must stop reading, so the client's writes stall with most of the 128 MiB unsent
            long[] last = {-1, System.nanoTime()};
            Await.until("the client's writes stall", Duration.ofSeconds(30), () -> {
                long now = written.get();
                if (now != last[0]) {
                    last[0] = now;
                    last[1] = System.nanoTime();
                    return false;
                }
                return System.nanoTime() - last[1] > QUIET.toNanos();
            }, () -> "written " + written.get() + " of " + events);
            long directWhileBlocked = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            System.out.printf("BLOCK: the client wrote %,d of %,d 32 KiB events before TCP pushed back; pooled direct"
                + " memory %,d -> %,d%n", written.get(), events, directBefore, directWhileBlocked);
            assertThat(writer).as("the client could write everything: the server kept reading").isNotDone();
            assertThat(written.get()).isLessThan(events / 2);
            assertThat(directWhileBlocked - directBefore).as("the server buffers little of what was sent")
                .isLessThan(16L << 20);

            stage.release();
            List<RawFrame> frames = client.readUntilAck(events, Duration.ofSeconds(60));
            assertThat(frames).allMatch(f -> f.kind() == FrameKind.ACK);
            writer.get(10, TimeUnit.SECONDS);
            Await.until("the stage saw every event", RawClient.TIMEOUT, () -> stage.count() == events);
            assertThat(harness.counters().rejected()).isZero();
        }
    }

    @Test
    void aSlowConsumerThatReadsAgainFindsErrorSlowConsumerBehindWhatItHadNotRead() throws Exception {
        ServerConfig.Builder config = TestNode.config().slowConsumer(8 * 1024, 16 * 1024, Duration.ofSeconds(1));
        try (TestNode harness = TestNode.start(TestNode.memoryEngine(), config);
             RawClient slow = RawClient.connect(harness.port(), 4096)) {
            slow.hello();
            byte[] pings = new byte[1024 * 16];
            for (int i = 0; i < 1024; i++) {
                System.arraycopy(RawFrames.ping(i), 0, pings, i * 16, 16);
            }
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    while (!stop.get()) {
                        slow.send(pings);
                    }
                } catch (IOException expected) {
                    // the server closed the connection
                }
            });
            try {
                Await.until("the server gave up on the slow consumer", Duration.ofSeconds(60),
                    () -> harness.counters().slowConsumersClosed() == 1);
                stop.set(true);
                // reading again drains the PONGs it had not read, then the ERROR, then the close
                RawFrame error = slow.expectErrorAndClose(ErrorCode.SLOW_CONSUMER);
                assertThat(error.message()).contains("did not read");
            } finally {
                stop.set(true);
                slow.close();
            }
            writer.get(10, TimeUnit.SECONDS);
            assertThat(harness.counters().protocolErrors()).as("a slow consumer is not a protocol error").isZero();
        }
    }

    @Test
    void aClientThatNeverReadsIsCutOffAfterTheSlowConsumerTimeout() throws Exception {
        ServerConfig.Builder config = TestNode.config().slowConsumer(8 * 1024, 16 * 1024, Duration.ofMillis(500));
        try (TestNode harness = TestNode.start(TestNode.memoryEngine(), config);
             RawClient bystander = RawClient.connectAndHello(harness.port());
             RawClient slow = RawClient.connect(harness.port(), 4096)) {
            slow.hello();
            long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();

            // 4096 PINGs per write; each is answered by a PONG the client never reads
            byte[] pings = new byte[4096 * 16];
            for (int i = 0; i < 4096; i++) {
                System.arraycopy(RawFrames.ping(i), 0, pings, i * 16, 16);
            }
            AtomicLong written = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<IOException> writer = CompletableFuture.supplyAsync(() -> {
                try {
                    while (!stop.get() && written.get() < 1L << 30) {
                        slow.send(pings);
                        written.addAndGet(pings.length);
                    }
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });

            long[] maxDirect = {directBefore};
            try {
                Await.until("the server cut off the slow consumer", Duration.ofSeconds(60), () -> {
                    maxDirect[0] = Math.max(maxDirect[0], PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory());
                    return harness.counters().slowConsumersClosed() == 1 && writer.isDone();
                }, () -> "slowConsumersClosed " + harness.counters().slowConsumersClosed() + ", writer done "
                    + writer.isDone() + ", written " + written.get() + " bytes");
            } finally {
                stop.set(true);
                slow.close(); // unblocks a writer stuck in write() if the server never closed
            }
            IOException failure = writer.get(10, TimeUnit.SECONDS);
            System.out.printf("slow consumer: wrote %,d bytes of PINGs before the server closed; pooled direct memory"
                + " %,d before, at most %,d while it was open%n", written.get(), directBefore, maxDirect[0]);
            assertThat(failure).as("the client's writes fail once the server closed the connection").isNotNull();
            assertThat(RawClient.isReset(failure)).as("%s", failure).isTrue();
            assertThat(written.get()).as("bytes the client could push before the server stopped reading")
                .isLessThan(256L << 20);
            assertThat(maxDirect[0] - directBefore).as("the server's outbound memory stays bounded")
                .isLessThan(64L << 20);

            Await.until("only the bystander is left", RawClient.TIMEOUT, () -> harness.counters().connectionsOpen() == 1);
            bystander.send(event(1, 0, 4));
            List<RawFrame> frames = bystander.readUntilAck(1, RawClient.TIMEOUT);
            assertThat(frames).extracting(RawFrame::kind).containsExactly(FrameKind.ACK);
            bystander.send(RawFrames.ping(99));
            assertThat(bystander.next(RawClient.TIMEOUT).toString()).isEqualTo("PONG(99)");
        }
    }
}
