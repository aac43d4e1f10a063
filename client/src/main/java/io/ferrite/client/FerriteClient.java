package io.ferrite.client;

import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.FrameHeader;
import io.ferrite.protocol.FrameKind;
import io.ferrite.protocol.PingFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Java FWP/1 client (PROTOCOL.md): connects and says HELLO, then pipelines EVENTs
 * asynchronously. {@link #publish} encodes a frame into the off-heap {@link OutboundRing} and
 * returns its correlationId (1, 2, 3, ... for the life of the client) without allocating;
 * {@link #flush()} writes what is not yet on the wire to a blocking socket. Frames stay in the
 * ring until a cumulative ACK covers them, so when the connection drops the client reconnects
 * (with backoff) and sends every un-ACKed event again with its original eventId: the server's
 * dedup window makes that safe. ACK, REJECT and ERROR arrive as values on a
 * {@link ClientListener}; {@link #publishAsync} adds a per-event future (allocating).
 *
 * <pre>{@code
 * try (FerriteClient client = FerriteClient.connect(ClientConfig.defaults("127.0.0.1", 7070), listener)) {
 *     long correlationId = client.publish(type, key, eventId, 0, payload, 0, length);
 *     if (correlationId == ClientResult.BACK_PRESSURED) { ... flush, wait, retry ... }
 *     client.flush();
 * }
 * }</pre>
 *
 * <p>Thread-safety: single producer — {@link #publish}, {@link #publishAsync}, {@link #flush()}
 * and {@link #close()} from one thread (asserted); the queries from any thread. Listener methods
 * and the completion of futures run on the client's one reader thread.
 */
public final class FerriteClient implements AutoCloseable {
    /** The value of a {@link #publishAsync} future whose event was covered by an ACK naming a later event. */
    public static final long INDEX_NOT_REPORTED = -1;

    private static final Logger LOG = LoggerFactory.getLogger(FerriteClient.class);

    private final ClientConfig config;
    private final GuardedListener listener;
    private final OutboundRing ring;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object ackMonitor = new Object();
    private final AtomicInteger ackWaiters = new AtomicInteger();
    private final AtomicLong reconnects = new AtomicLong();
    private final Thread reader;
    /** PONG frames, written under the write lock. */
    private final ByteBuffer control = ByteBuffer.allocateDirect(PingFrame.FRAME_BYTES);
    private final MemorySegment controlMemory = MemorySegment.ofBuffer(control);

    /** The open connection, or null between connections; written under the write lock. */
    private volatile Wire channel;
    private volatile int frameLimit;
    private volatile int maxFrameLength;
    private volatile long instanceId;
    /** close() has begun: no more reconnects. */
    private volatile boolean closing;
    /** No more publishing: closed, or given up after a final ERROR. */
    private volatile boolean terminated;
    private volatile String closeReason;
    private volatile boolean pongPending;
    private volatile long pongNonce;
    /** Made by the publisher on the first publishAsync; published before that event. */
    private volatile PendingFutures futures;

    // Publisher-owned.
    private Thread owner;
    private boolean closed;

    // Reader-owned.
    private final InboundFrameReader inbound = new InboundFrameReader(new Inbound());

    private FerriteClient(ClientConfig config, ClientListener listener, Handshake.Welcome welcome) {
        this.config = config;
        this.listener = new GuardedListener(listener);
        this.ring = new OutboundRing(config.windowBytes(), config.maxInFlightEvents(),
            (int) Math.min(Integer.MAX_VALUE, welcome.maxFrameLength() + (long) FrameHeader.LENGTH_FIELD_SIZE));
        adopt(welcome);
        this.reader = Thread.ofPlatform().daemon().name("ferrite-client-" + config.clientName() + "-reader")
            .unstarted(this::runReader);
    }

    /**
     * Connects, says HELLO and waits for WELCOME.
     *
     * @throws FerriteClientException with the server's code and message when it answered ERROR
     *                                (e.g. UNAUTHORIZED), with a null code when the connection failed
     */
    public static FerriteClient connect(ClientConfig config, ClientListener listener) throws FerriteClientException {
        FerriteClient client = new FerriteClient(config, listener, Handshake.open(config));
        client.reader.start();
        return client;
    }

    public static FerriteClient connect(ClientConfig config) throws FerriteClientException {
        return connect(config, ClientListener.NONE);
    }

    /**
     * Queues one EVENT; the server stamps its time. See
     * {@link #publish(int, long, long, long, int, MemorySegment, long, int)}.
     */
    public long publish(int type, long key, long eventId, int priority, MemorySegment payload, long offset, int length) {
        return publish(type, key, eventId, 0L, priority, payload, offset, length);
    }

    /**
     * Queues one EVENT frame in the window; it goes out on the next {@link #flush()}. No allocation.
     *
     * @param eventId        idempotency key (0 = no dedup); keep it when you retry elsewhere
     * @param timestampNanos epoch nanoseconds at the producer, 0 for the server's clock
     * @param priority       0..3 for the server; 4..255 are sent (and REJECTed by the server)
     * @return the correlationId (&ge; 1, increasing), or {@link ClientResult#BACK_PRESSURED},
     * {@link ClientResult#CLOSED}, {@link ClientResult#INVALID_ARGUMENT}
     */
    public long publish(int type, long key, long eventId, long timestampNanos, int priority,
                        MemorySegment payload, long offset, int length) {
        assert confined();
        if (terminated) {
            return ClientResult.CLOSED;
        }
        if ((priority & ~0xFF) != 0) {
            return ClientResult.INVALID_ARGUMENT;
        }
        return ring.append(eventId, key, timestampNanos, type, priority, payload, offset, length, frameLimit);
    }

    /** As the segment form, with the whole of {@code payload} as the payload. */
    public long publish(int type, long key, long eventId, int priority, byte[] payload) {
        return publish(type, key, eventId, 0L, priority, payload, 0, payload.length);
    }

    /** As the segment form, with the payload in a byte array. */
    public long publish(int type, long key, long eventId, long timestampNanos, int priority,
                        byte[] payload, int offset, int length) {
        assert confined();
        if (terminated) {
            return ClientResult.CLOSED;
        }
        if ((priority & ~0xFF) != 0 || offset < 0 || length < 0 || offset > payload.length - length) {
            return ClientResult.INVALID_ARGUMENT;
        }
        return ring.append(eventId, key, timestampNanos, type, priority, payload, offset, length, frameLimit);
    }

    /**
     * Convenience form (allocates): publishes, flushes, and returns a future that completes on
     * the reader thread with the event's journal index when an ACK names it, with
     * {@link #INDEX_NOT_REPORTED} when a cumulative ACK for a later event covers it, or
     * exceptionally with a {@link FerriteClientException} carrying the REJECT's code, or when
     * the event could not be queued or the client closed first.
     */
    public CompletableFuture<Long> publishAsync(int type, long key, long eventId, int priority, byte[] payload) {
        assert confined();
        PendingFutures pending = futures;
        if (pending == null) {
            pending = new PendingFutures(ring.slots());
            futures = pending;
        }
        long correlationId = ring.nextCorrelationId();
        if (correlationId - ring.ackedCorrelationId() > ring.slots()) { // its slot is still in use
            return failed(ClientResult.BACK_PRESSURED);
        }
        CompletableFuture<Long> future = new CompletableFuture<>();
        pending.put(correlationId, future); // published by the append's release store
        long result = publish(type, key, eventId, 0L, priority, payload, 0, payload.length);
        if (result < 0) {
            pending.clear(correlationId);
            return failed(result);
        }
        flush();
        if (terminated) { // the reader may have failed the open futures before this one was there
            future.completeExceptionally(new FerriteClientException(null, correlationId,
                "client closed before the ACK: " + closeReason));
        }
        return future;
    }

    /**
     * Writes every queued frame to the socket (blocking while the socket is full).
     *
     * @return {@link ClientResult#OK}, {@link ClientResult#DISCONNECTED} (the frames wait for
     * the reconnect), or {@link ClientResult#CLOSED}
     */
    public int flush() {
        if (terminated) {
            return (int) ClientResult.CLOSED;
        }
        writeLock.lock();
        try {
            return flushLocked();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Waits until every event up to {@code correlationId} is ACKed.
     *
     * @return true when it is, false on timeout or when the client closed first
     */
    public boolean awaitAcked(long correlationId, Duration timeout) throws InterruptedException {
        if (ring.ackedCorrelationId() >= correlationId) {
            return true;
        }
        long deadline = System.nanoTime() + (timeout.toSeconds() > 1L << 32 ? 1L << 62 : timeout.toNanos());
        ackWaiters.incrementAndGet();
        try {
            synchronized (ackMonitor) {
                while (ring.ackedCorrelationId() < correlationId) {
                    long left = deadline - System.nanoTime();
                    if (terminated || left <= 0) {
                        return false;
                    }
                    ackMonitor.wait(Math.clamp(TimeUnit.NANOSECONDS.toMillis(left), 1, 100));
                }
                return true;
            }
        } finally {
            ackWaiters.decrementAndGet();
        }
    }

    /** Publisher thread: the correlationId the next successful publish returns. */
    public long nextCorrelationId() {
        return ring.nextCorrelationId();
    }

    /** The last correlationId published (0 before the first). */
    public long lastPublished() {
        return ring.publishedCorrelationId();
    }

    /** The last correlationId a cumulative ACK covered (0 before the first). */
    public long lastAcked() {
        return ring.ackedCorrelationId();
    }

    public boolean isConnected() {
        return channel != null && !terminated;
    }

    /** True once closed or given up after a final ERROR: publish answers CLOSED. */
    public boolean isClosed() {
        return terminated;
    }

    /** Why the client closed, or null while it is open. */
    public String closeReason() {
        return terminated ? closeReason : null;
    }

    /** Connections made after the first. */
    public long reconnects() {
        return reconnects.get();
    }

    /** Listener calls that threw. */
    public long listenerErrors() {
        return listener.errors();
    }

    /** The WELCOME's instanceId of the current (or last) connection. */
    public long instanceId() {
        return instanceId;
    }

    /** The WELCOME's maxFrameLength of the current (or last) connection. */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /** The largest payload publish accepts now (window and server limit). */
    public int maxPayloadLength() {
        return Math.min(frameLimit, ring.maxFrameBytes()) - OutboundRing.EVENT_FRAME_OVERHEAD;
    }

    /** Flushes, waits up to the configured close timeout for outstanding ACKs, then closes. */
    @Override
    public void close() {
        close(config.closeTimeout());
    }

    /**
     * Flushes, waits up to {@code timeout} for every published event to be ACKed, then closes the
     * connection and stops the reader. Futures still open complete exceptionally.
     *
     * @return true when every published event was ACKed before the close
     */
    public boolean close(Duration timeout) {
        if (closed) {
            return ring.ackedCorrelationId() == ring.publishedCorrelationId();
        }
        closed = true;
        boolean drained = ring.ackedCorrelationId() == ring.publishedCorrelationId();
        if (!terminated && !drained) {
            flush();
            try {
                drained = awaitAcked(ring.publishedCorrelationId(), timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closing = true;
        terminate("closed by the application");
        Wire open = channel;
        closeQuietly(open); // wakes a reader in read() and a writer blocked in write()
        writeLock.lock();
        try {
            closeQuietly(channel);
            channel = null;
        } finally {
            writeLock.unlock();
        }
        LockSupport.unpark(reader);
        try {
            reader.join(config.connectTimeout().toMillis() + 5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return drained;
    }

    /** The reader thread (tests measure its allocation). */
    Thread readerThread() {
        return reader;
    }

    // ---------------------------------------------------------------- writing

    private int flushLocked() {
        Wire open = channel;
        if (open == null) {
            return ClientResult.DISCONNECTED;
        }
        try {
            ring.writeTo(open);
            if (pongPending) {
                pongPending = false;
                writePong(open, pongNonce);
            }
            return ClientResult.OK;
        } catch (IOException e) {
            dropLocked(open);
            return ClientResult.DISCONNECTED;
        }
    }

    private void writePong(Wire open, long nonce) throws IOException {
        control.clear().limit(PingFrame.write(controlMemory, 0, FrameKind.PONG, nonce));
        while (control.hasRemaining()) {
            open.write(control);
        }
    }

    private void dropLocked(Wire broken) {
        if (channel == broken) {
            channel = null;
        }
        closeQuietly(broken);
    }

    private void adopt(Handshake.Welcome welcome) {
        maxFrameLength = welcome.maxFrameLength();
        frameLimit = (int) Math.min(Integer.MAX_VALUE, welcome.maxFrameLength() + (long) FrameHeader.LENGTH_FIELD_SIZE);
        instanceId = welcome.instanceId();
        channel = welcome.wire();
    }

    // ---------------------------------------------------------------- reading

    private void runReader() {
        try {
            while (!closing && !terminated) {
                Wire open = channel;
                String reason = open == null ? "not connected" : inbound.read(open, maxFrameLength);
                closeQuietly(open); // first, so that a flush blocked writing to it lets go of the lock
                writeLock.lock();
                try {
                    dropLocked(open);
                } finally {
                    writeLock.unlock();
                }
                if (closing || terminated) {
                    break;
                }
                listener.onDisconnected(reason);
                if (!config.reconnect()) {
                    terminate("connection lost: " + reason);
                    break;
                }
                if (!reconnect()) {
                    break;
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("FWP client reader failed; closing the client", e);
            terminate("reader failed: " + e);
        } finally {
            terminate("closed");
            PendingFutures pending = futures;
            if (pending != null) {
                pending.failAll(ring.ackedCorrelationId() + 1, ring.publishedCorrelationId(),
                    "client closed before the ACK: " + closeReason);
            }
        }
    }

    /** The reader thread's answers to server frames. */
    private final class Inbound implements InboundFrameReader.Handler {
        @Override
        public String onAck(long correlationId, long journalIndex) {
            long acked = ring.ackedCorrelationId();
            if (correlationId <= acked) {
                return null; // already covered
            }
            if (correlationId > ring.publishedCorrelationId()) { // acquire: what was stored per slot is visible
                return "the server ACKed correlationId " + correlationId + ", which was never sent";
            }
            PendingFutures pending = futures;
            if (pending != null) {
                pending.acked(acked, correlationId, journalIndex);
            }
            listener.onAck(correlationId, journalIndex);
            ring.release(correlationId);
            if (ackWaiters.get() > 0) {
                synchronized (ackMonitor) {
                    ackMonitor.notifyAll();
                }
            }
            return null;
        }

        @Override
        public String onReject(long correlationId, ErrorCode code, String message) {
            if (correlationId <= ring.ackedCorrelationId() || correlationId > ring.publishedCorrelationId()) {
                return "the server REJECTed correlationId " + correlationId + ", which is not in flight";
            }
            PendingFutures pending = futures;
            if (pending != null) {
                pending.rejected(correlationId, new FerriteClientException(code, correlationId, message));
            }
            listener.onReject(correlationId, code, message);
            return null;
        }

        @Override
        public String onError(ErrorCode code, String message) {
            listener.onError(code, message);
            if (isFinal(code)) {
                terminate("ERROR " + code + ": " + message);
            }
            return "ERROR " + code + ": " + message;
        }

        @Override
        public String onPing(long nonce) {
            pongNonce = nonce;
            pongPending = true;
            // Under the lock the stream is between frames. Only the PONG is written here: a
            // reader blocked writing events would stop reading ACKs. If the lock is busy, the
            // flush holding it sends the PONG.
            if (writeLock.tryLock()) {
                Wire open = channel;
                try {
                    if (open != null && pongPending) {
                        pongPending = false;
                        writePong(open, pongNonce);
                    }
                } catch (IOException e) {
                    dropLocked(open);
                } finally {
                    writeLock.unlock();
                }
            }
            return null;
        }
    }

    // ---------------------------------------------------------------- reconnecting

    /** Reconnects with backoff; true when a connection is up (resend started), false when giving up. */
    private boolean reconnect() {
        long backoff = Math.max(config.reconnectBackoffMin().toNanos(), 1_000_000L);
        long maxBackoff = Math.max(config.reconnectBackoffMax().toNanos(), backoff);
        boolean firstTry = true;
        while (!closing) {
            if (!firstTry) {
                LockSupport.parkNanos(this, backoff);
                backoff = Math.min(maxBackoff, backoff * 2);
                if (closing) {
                    return false;
                }
            }
            firstTry = false;
            Handshake.Welcome welcome;
            try {
                welcome = Handshake.open(config);
            } catch (FerriteClientException e) {
                if (e.code() != null) {
                    listener.onError(e.code(), e.getMessage());
                    if (isFinal(e.code())) {
                        terminate("ERROR " + e.code() + " on reconnect: " + e.getMessage());
                        return false;
                    }
                }
                continue;
            }
            long firstResent;
            long lastResent;
            writeLock.lock();
            try {
                if (closing) {
                    closeQuietly(welcome.wire());
                    return false;
                }
                adopt(welcome);
                ring.rewind();
                firstResent = ring.ackedCorrelationId() + 1;
                lastResent = ring.publishedCorrelationId();
            } finally {
                writeLock.unlock();
            }
            reconnects.incrementAndGet();
            listener.onReconnected(firstResent, lastResent);
            // The reader must go back to reading ACKs at once, so the resend runs beside it.
            Thread.ofPlatform().daemon().name("ferrite-client-" + config.clientName() + "-resend").start(this::flush);
            return true;
        }
        return false;
    }

    /** Codes after which trying again would only repeat the failure. */
    private static boolean isFinal(ErrorCode code) {
        return code == null || switch (code) {
            case SHUTTING_DOWN, OVERLOADED, JOURNAL_UNAVAILABLE, SLOW_CONSUMER, CONNECTION_LIMIT -> false;
            default -> true;
        };
    }

    // ---------------------------------------------------------------- helpers

    private void terminate(String reason) {
        if (!terminated) {
            closeReason = reason;
            terminated = true;
        }
        synchronized (ackMonitor) {
            ackMonitor.notifyAll();
        }
    }

    private CompletableFuture<Long> failed(long result) {
        return CompletableFuture.failedFuture(new FerriteClientException(null, 0,
            "publish failed: " + ClientResult.describe(result)));
    }

    private boolean confined() {
        Thread current = Thread.currentThread();
        if (owner == null) {
            owner = current;
        }
        return owner == current;
    }

    private static void closeQuietly(Wire open) {
        if (open != null) {
            open.close();
        }
    }
}
