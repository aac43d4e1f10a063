package io.ferrite.cli.load;

import io.ferrite.protocol.ErrorCode;
import io.ferrite.client.ClientConfig;
import io.ferrite.client.ClientListener;
import io.ferrite.client.ClientResult;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.FerriteClientException;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The engine of {@code ferrite send}: a bounded number of events over C connections (one
 * {@link FerriteClient} and one sender thread each), open loop at a target rate.
 *
 * <p>Event {@code i} (0-based, over all connections) is sent by connection {@code i mod C} and is
 * due at {@code start + i / rate}; its latency is the time the ACK covering it arrives minus that
 * intended time, so a stalled server is charged for every event it delayed (coordinated omission
 * corrected). With rate 0 events go as fast as the window ({@link LoadConfig#window()}, the most
 * un-ACKed events per connection) allows, and the latency starts when the event entered the
 * client. Between paced events the sender parks rather than spins, leaving the cores to the server. Intended times sit in a {@code long} ring indexed by correlationId;
 * a cumulative ACK(c) records one value per event up to c into the connection's
 * {@link SingleWriterRecorder}. eventIds are a random 62-bit base plus {@code i}, so a resend after
 * a reconnect exercises the server's dedup. Sending does not allocate. The {@link Summary} carries
 * a copy of the whole corrected histogram ({@link Summary#latencyNanos()}) besides its five figures.
 *
 * <p>Thread-safety: {@link #run} once, from one thread (it reports progress from that thread);
 * {@link #stop()} from any thread.
 */
public final class LoadGenerator {
    private static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final long LOWEST_DISCERNIBLE_NANOS = 100;
    private static final long REJECTED = Long.MIN_VALUE;
    private static final int FLUSH_BATCH = 64;
    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final LoadConfig config;
    private volatile boolean stopped;

    public LoadGenerator(LoadConfig config) {
        this.config = config;
    }

    /** Runs {@code config} to the end; see {@link #run(Consumer)}. */
    public static Summary run(LoadConfig config, Consumer<LoadProgress> progress)
        throws FerriteClientException, InterruptedException {
        return new LoadGenerator(config).run(progress);
    }

    /** Makes the senders stop after their current event; the run then waits for the final ACKs as usual. */
    public void stop() {
        stopped = true;
    }

    /**
     * Connects every connection, sends, waits for the final ACKs (up to the ACK timeout), closes.
     *
     * @param progress called on this thread every progress interval
     * @throws FerriteClientException when a connection cannot be made (nothing was sent then)
     */
    public Summary run(Consumer<LoadProgress> progress) throws FerriteClientException, InterruptedException {
        int connections = config.connections();
        long base = ThreadLocalRandom.current().nextLong(1, 1L << 62);
        CountDownLatch done = new CountDownLatch(connections);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Sender> senders = new ArrayList<>(connections);
        try {
            for (int k = 0; k < connections; k++) {
                long count = config.events() / connections + (k < config.events() % connections ? 1 : 0);
                Sender sender = new Sender(k, count, base, done, failure);
                senders.add(sender);
                sender.connect();
            }
        } catch (FerriteClientException | RuntimeException e) {
            for (Sender sender : senders) {
                sender.closeClient();
            }
            throw e;
        }
        long start = System.nanoTime() + START_DELAY_NANOS;
        List<Thread> threads = new ArrayList<>(connections);
        long measureFrom = start + config.warmup().toNanos();
        for (Sender sender : senders) {
            sender.start = start;
            sender.measureFrom = measureFrom;
            threads.add(Thread.ofPlatform().name("ferrite-send-" + sender.index).start(sender));
        }

        Histogram total = newHistogram();
        Histogram interval = newHistogram();
        long intervalNanos = config.progressInterval().toNanos();
        long nextTick = start + intervalNanos;
        long lastAcked = 0;
        long lastTick = start;
        while (!done.await(Math.max(0, nextTick - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            long now = System.nanoTime();
            interval.reset();
            for (Sender sender : senders) {
                interval.add(sender.drain());
            }
            total.add(interval);
            long acked = sum(senders, true);
            long rate = Math.round((acked - lastAcked) * 1e9 / Math.max(1, now - lastTick));
            progress.accept(new LoadProgress((now - start) / 1e9, sum(senders, false), acked, rate,
                micros(interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99.0))));
            lastAcked = acked;
            lastTick = now;
            nextTick += intervalNanos;
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long end = System.nanoTime();
        for (Sender sender : senders) {
            total.add(sender.drain());
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a sender failed: " + failure.get(), failure.get());
        }
        return summary(senders, total, measureFrom, end);
    }

    /** The summary; rate and percentiles cover the events due from {@code measureFrom} (after the warm-up). */
    private Summary summary(List<Sender> senders, Histogram total, long measureFrom, long end) {
        long sent = 0;
        long acked = 0;
        long rejected = 0;
        long errors = 0;
        long lastAck = 0;
        long measured = 0;
        for (Sender sender : senders) {
            sent += sender.sent.get();
            acked += sender.accepted.get();
            measured += sender.measured.get();
            rejected += sender.rejected.get();
            errors += sender.errors.get();
            lastAck = Math.max(lastAck, sender.lastAckNanos);
        }
        long finish = lastAck > measureFrom ? lastAck : end;
        double seconds = Math.max(0, finish - measureFrom) / 1e9;
        long rate = seconds > 0 ? Math.round(measured / seconds) : 0;
        boolean any = total.getTotalCount() > 0;
        return new Summary(sent, acked, rejected, errors, seconds, rate,
            any ? micros(total.getValueAtPercentile(50.0)) : 0,
            any ? micros(total.getValueAtPercentile(99.0)) : 0,
            any ? micros(total.getValueAtPercentile(99.9)) : 0,
            any ? micros(total.getValueAtPercentile(99.99)) : 0,
            any ? micros(total.getMaxValue()) : 0, total);
    }

    private static long sum(List<Sender> senders, boolean acked) {
        long sum = 0;
        for (Sender sender : senders) {
            sum += acked ? sender.accepted.get() : sender.sent.get();
        }
        return sum;
    }

    private static long micros(long nanos) {
        return Math.round(nanos / 1_000.0);
    }

    private static Histogram newHistogram() {
        return new Histogram(LOWEST_DISCERNIBLE_NANOS, HIGHEST_TRACKABLE_NANOS, 3);
    }

    /**
     * One connection: the sender loop runs on its own thread, the listener methods on the
     * client's reader thread.
     */
    private final class Sender implements Runnable, ClientListener {
        final int index;
        final long count;
        final long base;
        final CountDownLatch done;
        final AtomicReference<Throwable> failure;
        final SingleWriterRecorder recorder =
            new SingleWriterRecorder(LOWEST_DISCERNIBLE_NANOS, HIGHEST_TRACKABLE_NANOS, 3);
        final AtomicLong sent = new AtomicLong();
        final AtomicLong accepted = new AtomicLong();
        /** Accepted events due after the warm-up: the ones the latency histogram has. */
        final AtomicLong measured = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final MemorySegment payload;
        long[] sendTimes;
        int timeMask;
        FerriteClient client;
        long start;
        /** Events due (paced) or sent (unpaced) before this are not in the latency figures. */
        volatile long measureFrom;
        /** Reader-owned. */
        long lastAcked;
        volatile long lastAckNanos;
        boolean errorAnnounced;
        /** Progress-thread-owned. */
        Histogram recycled;

        Sender(int index, long count, long base, CountDownLatch done, AtomicReference<Throwable> failure) {
            this.index = index;
            this.count = count;
            this.base = base;
            this.done = done;
            this.failure = failure;
            byte[] bytes = new byte[config.payloadSize()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) ('a' + i % 26);
            }
            this.payload = MemorySegment.ofArray(bytes);
        }

        void connect() throws FerriteClientException {
            ClientConfig clientConfig = config.client().toBuilder().clientName(config.client().clientName() + "-" + index).build();
            sendTimes = new long[clientConfig.maxInFlightEvents()];
            timeMask = sendTimes.length - 1;
            client = FerriteClient.connect(clientConfig, this);
            if (config.payloadSize() > client.maxPayloadLength()) {
                int limit = client.maxPayloadLength();
                closeClient();
                throw new IllegalArgumentException("payload size " + config.payloadSize()
                    + " exceeds what one frame may carry here (" + limit + " bytes: window and server maxFrameLength)");
            }
        }

        /** The progress thread: latencies recorded since the last drain (the histogram is reused next time). */
        Histogram drain() {
            recycled = recorder.getIntervalHistogram(recycled);
            return recycled;
        }

        void closeClient() {
            if (client != null) {
                client.close(Duration.ZERO);
            }
        }

        @Override
        public void run() {
            try {
                send();
                client.flush();
                client.awaitAcked(client.lastPublished(), config.ackTimeout());
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                closeClient();
                done.countDown();
            }
        }

        private void send() {
            boolean paced = config.rate() > 0;
            double nanosPerEvent = paced ? 1e9 / config.rate() : 0;
            int connections = config.connections();
            int type = config.eventType();
            int keys = config.keys();
            int length = config.payloadSize();
            int unflushed = 0;
            for (long j = 0; j < count && !stopped; j++) {
                long global = j * connections + index;
                long intended = 0;
                if (paced) {
                    intended = start + (long) (global * nanosPerEvent);
                    if (System.nanoTime() < intended) {
                        if (unflushed > 0) {
                            client.flush();
                            unflushed = 0;
                        }
                        waitUntil(intended);
                    }
                } else if (j == 0) {
                    waitUntil(start);
                }
                if (!publish(paced, intended, type, global % keys, base + global, length)) {
                    errors.incrementAndGet();
                    return;
                }
                sent.lazySet(j + 1);
                if (++unflushed >= FLUSH_BATCH) {
                    client.flush();
                    unflushed = 0;
                }
            }
        }

        /**
         * Publishes one event, waiting out back pressure; false when the client closed, or when the
         * window stayed full with no ACK for the ACK timeout (the server died and the client keeps
         * reconnecting: without this limit the sender would wait for ever).
         */
        private boolean publish(boolean paced, long intended, int type, long key, long eventId, int length) {
            int idle = 0;
            long waitingSince = 0;
            long ackedWhenWaitBegan = 0;
            while (true) {
                long correlationId = client.nextCorrelationId();
                if (correlationId - client.lastAcked() <= config.window()) { // within the window (and its time slot is free)
                    sendTimes[(int) correlationId & timeMask] = paced ? intended : System.nanoTime();
                    long result = client.publish(type, key, eventId, 0, payload, 0, length);
                    if (result > 0) {
                        return true;
                    }
                    if (result != ClientResult.BACK_PRESSURED) {
                        return false;
                    }
                }
                if (client.isClosed()) {
                    return false;
                }
                long now = System.nanoTime();
                if (idle == 0 || client.lastAcked() != ackedWhenWaitBegan) {
                    waitingSince = now;
                    ackedWhenWaitBegan = client.lastAcked();
                } else if (now - waitingSince > config.ackTimeout().toNanos()) {
                    return false;
                }
                client.flush();
                idle(idle++);
            }
        }

        /**
         * Sleeps until {@code deadline} without spinning: a sleep ends up to the timer slack (about
         * 50 µs) late, and the events due by then go out together. Their latency is counted from
         * their intended times, so the lateness is charged to the result, never hidden; in return
         * the generator leaves the machine's cores to the server it measures (on 2 cores a spinning
         * sender takes one of them).
         */
        private void waitUntil(long deadline) {
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
            }
        }

        private void idle(int attempt) {
            if (attempt < 64) {
                Thread.onSpinWait();
            } else if (attempt < 128) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }

        // Listener methods: the client's reader thread.

        @Override
        public void onAck(long correlationId, long journalIndex) {
            long now = System.nanoTime();
            long from = measureFrom;
            long counted = 0;
            long countedMeasured = 0;
            for (long id = lastAcked + 1; id <= correlationId; id++) {
                long intended = sendTimes[(int) id & timeMask];
                if (intended != REJECTED) {
                    counted++;
                    if (intended - from >= 0) {
                        recorder.recordValue(Math.clamp(now - intended, LOWEST_DISCERNIBLE_NANOS, HIGHEST_TRACKABLE_NANOS));
                        countedMeasured++;
                    }
                }
            }
            lastAcked = correlationId;
            accepted.lazySet(accepted.get() + counted);
            measured.lazySet(measured.get() + countedMeasured);
            lastAckNanos = now;
        }

        @Override
        public void onReject(long correlationId, ErrorCode code, String message) {
            sendTimes[(int) correlationId & timeMask] = REJECTED;
            rejected.lazySet(rejected.get() + 1);
        }

        @Override
        public void onError(ErrorCode code, String message) {
            errors.incrementAndGet();
            errorAnnounced = true;
        }

        @Override
        public void onDisconnected(String reason) {
            if (!errorAnnounced) {
                errors.incrementAndGet();
            }
            errorAnnounced = false;
        }
    }
}
