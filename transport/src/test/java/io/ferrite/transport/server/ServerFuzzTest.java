package io.ferrite.transport.server;

import io.ferrite.engine.RecordingHandler;
import io.ferrite.protocol.AckFrame;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.ErrorFrame;
import io.ferrite.protocol.FrameKind;
import io.ferrite.protocol.HelloFrame;
import io.ferrite.protocol.PingFrame;
import io.ferrite.protocol.RejectFrame;
import io.ferrite.protocol.WelcomeFrame;
import io.ferrite.testing.Await;
import io.ferrite.testing.FaultSuite;
import io.ferrite.testing.RawClient;
import io.ferrite.testing.RawFrame;
import io.ferrite.testing.RawFrames;
import io.ferrite.transport.node.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz: over 100k random and mutated frames (valid HELLO, then EVENT / PING / PONG frames with bytes
 * flipped, truncated, lengths changed within maxFrameLength and now and then beyond it, kinds,
 * flags and reserved bytes set, garbage appended) on 300 connections from 4 threads, while one
 * well-behaved connection keeps publishing and checks every one of its events is ACKed. Afterwards
 * the server still answers a fresh HELLO, the engine still works, every connection is gone, and
 * Netty's leak detector at PARANOID found no ByteBuf leak. Everything the server sent is checked to
 * be well-formed. Reproduce a failure with {@code -Dferrite.fuzz.seed=<seed>} (printed, and in
 * every failure message).
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class ServerFuzzTest {
    private static final int CONNECTIONS = 300;
    /** 150k frames in every build; about a million in the fault suite's long form. */
    private static final int FRAMES_PER_CONNECTION = FaultSuite.pick(500, 3_400);
    private static final int THREADS = 4;
    private static final int MAX_FRAME = 64 * 1024;
    private static final long GOOD_KEY = 0x600D_600D_600DL;
    /** Per connection: the chance each frame is mutated; most connections go deep before their first bad frame. */
    private static final double[] MUTATION_RATES = {0, 0, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.3, 1};
    private static final Set<Integer> ERROR_CODES = Set.of(1, 2, 3, 4, 5, 8);
    private static final Set<Integer> REJECT_CODES = Set.of(6, 7, 8, 9);

    private final AtomicLong framesSent = new AtomicLong();
    private final AtomicLong framesReceived = new AtomicLong();
    private final AtomicLong errorsReceived = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();

    @Test
    void randomAndMutatedFramesNeverHurtTheServerTheEngineOrOtherConnections() throws Exception {
        long seed = Long.getLong("ferrite.fuzz.seed", System.nanoTime());
        System.out.println("fuzz seed " + seed + " (rerun with -Dferrite.fuzz.seed=" + seed + ")");
        LeakCounter leaks = LeakCounter.install();
        long started = System.nanoTime();
        try {
            TestNode harness = TestNode.start(TestNode.memoryEngine(),
                TestNode.config().maxFrameLength(MAX_FRAME));
            try {
                fuzz(harness, seed);
            } finally {
                harness.close();
            }
            leaks.plantCanaryLeak();
            List<String> found = leaks.collect(Duration.ofSeconds(30));
            assertThat(found).as("ByteBuf leaks (seed %d)", seed).isEmpty();
        } finally {
            leaks.uninstall();
            System.out.printf("fuzz seed %d: %,d frames sent on %d connections, %,d frames received (%,d ERRORs), "
                    + "%,d resets, %.1f s%n", seed, framesSent.get(), CONNECTIONS, framesReceived.get(),
                errorsReceived.get(), resets.get(), (System.nanoTime() - started) / 1e9);
        }
    }

    private void fuzz(TestNode harness, long seed) throws Exception {
        RawClient good = RawClient.connectAndHello(harness.port());
        GoodPublisher publisher = new GoodPublisher(good);
        Thread publisherThread = Thread.ofPlatform().name("fuzz-good-publisher").start(publisher);

        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                for (int connection = thread; connection < CONNECTIONS; connection += THREADS) {
                    try {
                        fuzzConnection(harness.port(), new Random(seed * 1_000_003L + connection));
                    } catch (Throwable e) {
                        failures.add("connection " + connection + " (seed " + seed + "): " + e);
                        if (failures.size() > 20) {
                            return;
                        }
                    }
                }
            }));
        }
        for (Future<?> future : futures) {
            future.get(150, TimeUnit.SECONDS);
        }
        pool.shutdown();
        publisher.stop.set(true);
        publisherThread.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(publisherThread.isAlive()).as("the well-behaved publisher finished").isFalse();

        assertThat(failures).as("fuzz connections that saw the server misbehave (seed %d)", seed).isEmpty();
        assertThat(publisher.failure).as("the well-behaved connection (seed %d)", seed).isNull();
        assertThat(framesSent.get()).isGreaterThanOrEqualTo(100_000);
        long goodEvents = publisher.lastCorrelationId;
        assertThat(goodEvents).as("events the well-behaved connection got ACKed during the fuzz").isPositive();
        Await.until("the stage saw every event of the well-behaved connection", RawClient.TIMEOUT,
            () -> harness.stage().countWithKey(GOOD_KEY) >= goodEvents);
        assertThat(harness.stage().seenWithKey(GOOD_KEY)).extracting(RecordingHandler.Seen::correlationId)
            .containsExactlyElementsOf(LongStream.rangeClosed(1, goodEvents).boxed().toList());

        // the server still answers a fresh HELLO, and the engine still takes events both ways
        try (RawClient fresh = RawClient.connectAndHello(harness.port())) {
            fresh.send(RawFrames.event(1, 0, GOOD_KEY + 1));
            assertThat(fresh.readUntilAck(1, RawClient.TIMEOUT)).extracting(RawFrame::kind)
                .containsExactly(FrameKind.ACK);
            fresh.send(RawFrames.ping(11));
            assertThat(fresh.next(RawClient.TIMEOUT).toString()).isEqualTo("PONG(11)");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment payload = arena.allocate(8);
            assertThat(harness.engine().publish(1, GOOD_KEY + 2, 0, 0, payload, 0, 8)).isNotNegative();
        }
        Await.until("both handled", RawClient.TIMEOUT,
            () -> harness.stage().countWithKey(GOOD_KEY + 1) == 1 && harness.stage().countWithKey(GOOD_KEY + 2) == 1);
        good.close();
        Await.until("every connection is closed on the server", RawClient.TIMEOUT,
            () -> harness.counters().connectionsOpen() == 0, () -> "open " + harness.counters().connectionsOpen());
        System.out.printf("server: %,d connections, %,d events accepted, %,d rejected, %,d duplicates, %,d protocol"
                + " errors%n", harness.counters().connectionsOpened(), harness.counters().accepted(),
            harness.counters().rejected(), harness.counters().duplicates(), harness.counters().protocolErrors());
    }

    /** One connection: a scripted stream of frames, a half-close, then every answer until the server closes. */
    private void fuzzConnection(int port, Random random) throws IOException {
        double rate = MUTATION_RATES[random.nextInt(MUTATION_RATES.length)];
        ByteArrayOutputStream script = new ByteArrayOutputStream();
        byte[] hello = hello(random);
        script.writeBytes(random.nextInt(20) == 0 ? mutate(random, hello) : hello);
        long correlationId = random.nextInt(3);
        for (int i = 0; i < FRAMES_PER_CONNECTION; i++) {
            int pick = random.nextInt(100);
            byte[] frame;
            if (pick < 60) {
                correlationId += 1 + (random.nextInt(8) == 0 ? random.nextInt(1000) : 0);
                frame = event(random, correlationId);
            } else if (pick < 85) {
                frame = RawFrames.ping(random.nextLong());
            } else {
                frame = RawFrames.pong(random.nextLong());
            }
            script.writeBytes(random.nextDouble() < rate ? mutate(random, frame) : frame);
        }
        framesSent.addAndGet(FRAMES_PER_CONNECTION + 1);

        try (RawClient client = RawClient.connect(port)) {
            try {
                client.send(script.toByteArray());
                client.shutdownOutput();
            } catch (IOException e) {
                if (!RawClient.isReset(e)) {
                    throw e;
                }
                // the server closed mid-stream (after an ERROR): what it sent is still checked below
            }
            checkAnswers(client);
        }
    }

    /** Every frame the server sent is well-formed and in a legal order, and the server closes in time. */
    private void checkAnswers(RawClient client) throws IOException {
        long deadline = System.nanoTime() + RawClient.TIMEOUT.toNanos();
        boolean welcomed = false;
        boolean errored = false;
        boolean acked = false;
        long lastAck = 0;
        int index = 0;
        while (true) {
            RawFrame frame = client.poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame == null) {
                throw new AssertionError("the server neither answered nor closed within " + RawClient.TIMEOUT
                    + " after the client's half-close (" + index + " frames so far)");
            }
            if (frame.isEof()) {
                if (client.wasReset()) {
                    resets.incrementAndGet();
                }
                return;
            }
            framesReceived.incrementAndGet();
            assertThat(errored).as("a frame after ERROR: %s", frame).isFalse();
            assertThat(frame.flags()).as("flags of %s", frame).isZero();
            switch (frame.kind()) {
                case FrameKind.WELCOME -> {
                    assertThat(index).as("WELCOME comes first").isZero();
                    assertThat(frame.body()).hasSize(WelcomeFrame.BODY_LENGTH);
                    assertThat(frame.maxFrameLength()).isEqualTo(MAX_FRAME);
                    welcomed = true;
                }
                case FrameKind.ACK -> {
                    assertThat(welcomed).as("ACK before WELCOME").isTrue();
                    assertThat(frame.body()).hasSize(AckFrame.BODY_LENGTH);
                    assertThat(!acked || Long.compareUnsigned(frame.correlationId(), lastAck) > 0)
                        .as("ACK %s after ACK %s", frame, Long.toUnsignedString(lastAck)).isTrue();
                    acked = true;
                    lastAck = frame.correlationId();
                }
                case FrameKind.REJECT -> {
                    assertThat(welcomed).as("REJECT before WELCOME").isTrue();
                    assertThat(frame.body().length).isGreaterThanOrEqualTo(RejectFrame.MIN_BODY_LENGTH);
                    assertThat(frame.u32(RejectFrame.MESSAGE_LENGTH_OFFSET)).isEqualTo(frame.body().length - RejectFrame.MIN_BODY_LENGTH);
                    assertThat(REJECT_CODES).as("REJECT code of %s", frame).contains(frame.code());
                }
                case FrameKind.ERROR -> {
                    assertThat(frame.body().length).isGreaterThanOrEqualTo(ErrorFrame.MIN_BODY_LENGTH);
                    assertThat(frame.u32(ErrorFrame.MESSAGE_LENGTH_OFFSET)).isEqualTo(frame.body().length - ErrorFrame.MIN_BODY_LENGTH);
                    assertThat(ERROR_CODES).as("ERROR code of %s", frame).contains(frame.code());
                    assertThat(ErrorCode.of(frame.code())).isNotNull();
                    errored = true;
                    errorsReceived.incrementAndGet();
                }
                case FrameKind.PONG -> {
                    assertThat(welcomed).as("PONG before WELCOME").isTrue();
                    assertThat(frame.body()).hasSize(PingFrame.BODY_LENGTH);
                }
                default -> throw new AssertionError("the server sent a frame of kind " + frame.kind());
            }
            index++;
        }
    }

    private static byte[] hello(Random random) {
        byte[] name = switch (random.nextInt(4)) {
            case 0 -> new byte[0];
            case 1 -> "fuzz-\u00e9\u4e2d\ud83d\ude00".getBytes(StandardCharsets.UTF_8);
            default -> ("fuzz-" + random.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
        };
        byte[] token = random.nextInt(10) == 0 ? randomBytes(random, random.nextInt(32)) : RawFrames.NO_TOKEN;
        return RawFrames.frame(FrameKind.HELLO, 0, RawFrames.helloBody(HelloFrame.VERSION, 0, token, name));
    }

    private static byte[] event(Random random, long correlationId) {
        long eventId = random.nextInt(4) == 0 ? 1 + random.nextInt(5_000) : 0;
        int priority = random.nextInt(20) == 0 ? random.nextInt(256) : random.nextInt(4);
        int payloadLength = random.nextInt(10) == 0 ? random.nextInt(4_000) : random.nextInt(64);
        long timestamp = random.nextBoolean() ? 0 : random.nextLong();
        return RawFrames.frame(FrameKind.EVENT, 0, RawFrames.eventBody(correlationId, eventId, random.nextLong(),
            timestamp, random.nextInt(), priority, 0, randomBytes(random, payloadLength)));
    }

    /** One mutation of a frame. */
    private static byte[] mutate(Random random, byte[] frame) {
        byte[] out = frame.clone();
        ByteBuffer view = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        switch (random.nextInt(10)) {
            case 0 -> { // flip a few bits anywhere
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> { // truncate: the following frames are read out of step
                return Arrays.copyOf(out, random.nextInt(out.length));
            }
            case 2 -> { // a different length: mostly within maxFrameLength, now and then beyond it
                long length = random.nextInt(50) == 0 ? MAX_FRAME + 1L + random.nextInt(Integer.MAX_VALUE)
                    : random.nextInt(4) == 0 ? random.nextInt(8) : random.nextInt(MAX_FRAME + 1);
                view.putInt(0, (int) length);
            }
            case 3 -> { // another kind, known or not
                int[] kinds = {FrameKind.HELLO, FrameKind.WELCOME, FrameKind.EVENT, FrameKind.ACK, FrameKind.REJECT, FrameKind.ERROR,
                    FrameKind.PING, FrameKind.PONG, 0, 0xFFFF, random.nextInt(0x10000)};
                view.putShort(4, (short) kinds[random.nextInt(kinds.length)]);
            }
            case 4 -> view.putShort(6, (short) (1 + random.nextInt(0xFFFF))); // flags
            case 5 -> { // garbage appended, with or without the length owning it
                byte[] longer = Arrays.copyOf(out, out.length + 1 + random.nextInt(64));
                for (int i = out.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt();
                }
                if (random.nextBoolean()) {
                    ByteBuffer.wrap(longer).order(ByteOrder.LITTLE_ENDIAN).putInt(0, longer.length - 4);
                }
                return longer;
            }
            case 6 -> { // pure garbage
                return randomBytes(random, random.nextInt(300));
            }
            case 7 -> { // the same frame twice (a repeated correlationId, a second HELLO...)
                byte[] twice = Arrays.copyOf(out, out.length * 2);
                System.arraycopy(out, 0, twice, out.length, out.length);
                return twice;
            }
            case 8 -> { // reserved bytes of HELLO (8..9) or EVENT (45..47)
                int kind = Short.toUnsignedInt(view.getShort(4));
                if (kind == FrameKind.EVENT && out.length >= 48) {
                    out[45 + random.nextInt(3)] = (byte) (1 + random.nextInt(255));
                } else if (out.length >= 12) {
                    view.putShort(10, (short) (1 + random.nextInt(0xFFFF)));
                }
            }
            default -> { // an extreme value in a random u64 field of the body
                if (out.length >= 16) {
                    int at = 8 + 8 * random.nextInt((out.length - 8) / 8);
                    long[] extremes = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1};
                    view.putLong(Math.min(at, out.length - 8), extremes[random.nextInt(extremes.length)]);
                }
            }
        }
        return out;
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * The well-behaved connection: batches of pipelined events with increasing correlationIds; each
     * batch must come back fully ACKed with nothing rejected.
     */
    private static final class GoodPublisher implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final RawClient client;
        volatile long lastCorrelationId;
        volatile Throwable failure;

        GoodPublisher(RawClient client) {
            this.client = client;
        }

        @Override
        public void run() {
            try {
                long next = 1;
                while (!stop.get()) {
                    int batch = 50;
                    client.send(RawFrames.events(next, batch, 0, GOOD_KEY));
                    long last = next + batch - 1;
                    List<RawFrame> frames = client.readUntilAck(last, RawClient.TIMEOUT);
                    for (RawFrame frame : frames) {
                        if (frame.kind() != FrameKind.ACK) {
                            throw new AssertionError("the well-behaved connection got " + frame);
                        }
                    }
                    if (frames.getLast().correlationId() != last) {
                        throw new AssertionError("ACK past the last event: " + frames.getLast());
                    }
                    lastCorrelationId = last;
                    next = last + 1;
                }
            } catch (Throwable e) {
                failure = e;
            }
        }
    }
}
