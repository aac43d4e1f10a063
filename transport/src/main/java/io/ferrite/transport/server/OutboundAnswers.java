package io.ferrite.transport.server;

import io.ferrite.engine.Engine;
import io.ferrite.engine.metrics.LatencyRecorder;
import io.ferrite.protocol.ErrorCode;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Where a connection's events are answered: REJECTs as they happen, one cumulative ACK per read
 * batch — held back until the engine's durable gate passes every index it covers (SYNC mode), then
 * written — and ERROR. Frames are encoded by the protocol's codec ({@link NettyFrames}).
 *
 * <p>Rule 7 of FWP/1 is kept by construction: a REJECT is written when its event is refused,
 * before the ACK that covers it is even queued.
 *
 * <p>Thread-safety: confined to the connection's event loop.
 */
final class OutboundAnswers {
    private static final long DURABLE_RETRY_NANOS = 200_000;
    private static final int MAX_UNACKED_BATCHES = 64;

    /** REJECT messages, encoded once. */
    static final byte[] PRIORITY = "priority must be 0..3".getBytes(StandardCharsets.UTF_8);
    static final byte[] OVERLOADED = "the engine is full; retry later".getBytes(StandardCharsets.UTF_8);
    static final byte[] SHUTTING_DOWN = "the engine is stopping".getBytes(StandardCharsets.UTF_8);
    static final byte[] JOURNAL_UNAVAILABLE = "the journal cannot be written".getBytes(StandardCharsets.UTF_8);
    static final byte[] TOO_LARGE = "the payload exceeds the engine's limit".getBytes(StandardCharsets.UTF_8);

    private final Engine engine;
    private final ServerCounters counters;
    private final AckQueue acks = new AckQueue(MAX_UNACKED_BATCHES);
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> durableTask;

    /** The read batch in progress: last EVENT answered, its ACK index, largest index the ACK waits for. */
    private boolean batchHasEvents;
    private long batchCorrelationId;
    private long batchAckIndex;
    private long batchMaxIndex = -1;
    /** Counts of this read not yet added to the shared counters: one add each per read, not per event. */
    private long unreportedAccepted;
    private long unreportedDuplicates;
    private long unreportedRejected;
    /** REJECTs of this read by code (ordinal), not yet added to the shared counters. */
    private final long[] unreportedByCode = new long[ErrorCode.values().length];
    private final boolean recordLatency;
    private LatencyRecorder ackLatency;
    private long readStartNanos;
    /** When the oldest read whose events no ACK covers yet began; 0 when every answered event is ACKed. */
    private long oldestUnackedNanos;

    OutboundAnswers(Engine engine, ServerCounters counters, boolean recordLatency) {
        this.engine = engine;
        this.counters = counters;
        this.recordLatency = recordLatency;
    }

    void attach(ChannelHandlerContext context) {
        this.ctx = context;
        if (recordLatency) {
            this.ackLatency = counters.ackLatencyRecorder(); // handlerAdded runs on the connection's event loop
        }
    }

    /** A read began at {@code nanos} (its events' ACK latency is measured from here). */
    void readStarted(long nanos) {
        readStartNanos = nanos;
    }

    /**
     * Event {@code correlationId} is journaled at {@code index} (a duplicate: the original's; its ACK
     * says 0). The read batch's ACK waits until {@code index} is durable.
     */
    void accepted(long correlationId, long index, boolean duplicate) {
        answered(correlationId, duplicate ? 0 : index);
        batchMaxIndex = Math.max(batchMaxIndex, index);
        unreportedAccepted++;
        if (duplicate) {
            unreportedDuplicates++;
        }
    }

    /** Refuses event {@code correlationId}: REJECT now. */
    void reject(long correlationId, ErrorCode code, byte[] message) {
        answered(correlationId, 0);
        unreportedRejected++;
        unreportedByCode[code.ordinal()]++;
        ctx.write(NettyFrames.reject(ctx.alloc(), correlationId, code, message), ctx.voidPromise());
    }

    private void answered(long correlationId, long ackIndex) {
        batchHasEvents = true;
        batchCorrelationId = correlationId;
        batchAckIndex = ackIndex;
    }

    /** The read batch is complete: queues its cumulative ACK and writes every ACK that is durable. */
    void endOfRead() {
        endBatch();
        flushAcks(false);
    }

    /** ERROR, then close; the close waits for the ERROR to be written (the caller bounds that wait). */
    void error(ErrorCode code, String message) {
        endBatch();
        flushAcks(true);
        ctx.writeAndFlush(NettyFrames.error(ctx.alloc(), code, message)).addListener(ChannelFutureListener.CLOSE);
    }

    void pong(long nonce) {
        ctx.write(NettyFrames.pong(ctx.alloc(), nonce), ctx.voidPromise());
    }

    void welcome(int maxFrameLength, long instanceId) {
        ctx.write(NettyFrames.welcome(ctx.alloc(), maxFrameLength, instanceId), ctx.voidPromise());
    }

    private void endBatch() {
        if (!batchHasEvents) {
            return;
        }
        counters.eventsAnswered(unreportedAccepted, unreportedDuplicates, unreportedRejected);
        if (unreportedRejected != 0) {
            counters.rejectedByCode(unreportedByCode); // clears it
        }
        unreportedAccepted = 0;
        unreportedDuplicates = 0;
        unreportedRejected = 0;
        acks.add(batchCorrelationId, batchAckIndex, batchMaxIndex);
        if (oldestUnackedNanos == 0) {
            oldestUnackedNanos = readStartNanos;
        }
        batchHasEvents = false;
        batchMaxIndex = -1;
    }

    /** Writes the newest ACK whose events are all durable; re-arms itself while some are not. */
    private void flushAcks(boolean endOfConnection) {
        long durableGate = engine.durableGate();
        if (acks.releaseUpTo(durableGate)) {
            ctx.write(NettyFrames.ack(ctx.alloc(), acks.releasedCorrelationId(), acks.releasedIndex()), ctx.voidPromise());
            counters.ackSent();
            recordAckLatency();
        }
        if (!acks.isEmpty() && durableTask == null && !endOfConnection) {
            durableTask = ctx.executor().schedule(() -> {
                durableTask = null;
                flushAcks(false);
                ctx.flush();
            }, DURABLE_RETRY_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The ACK just written covers the oldest unACKed read: its latency is from that read's start.
     * Reads still waiting (SYNC, a group commit behind) are then timed from the newest read's start,
     * which can only make them look faster, never slower, than they were.
     */
    private void recordAckLatency() {
        if (oldestUnackedNanos == 0 || ackLatency == null) {
            return;
        }
        ackLatency.beginBatch();
        ackLatency.record(System.nanoTime() - oldestUnackedNanos);
        ackLatency.endBatch();
        oldestUnackedNanos = acks.isEmpty() ? 0 : readStartNanos;
    }

    void close() {
        if (durableTask != null) {
            durableTask.cancel(false);
            durableTask = null;
        }
    }
}
