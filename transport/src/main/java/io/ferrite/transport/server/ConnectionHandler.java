package io.ferrite.transport.server;

import io.ferrite.engine.Engine;
import io.ferrite.engine.Ingest;
import io.ferrite.engine.PublishResult;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.EventFrame;
import io.ferrite.protocol.FrameHeader;
import io.ferrite.protocol.FrameKind;
import io.ferrite.protocol.HelloFrame;
import io.ferrite.protocol.PingFrame;
import io.ferrite.protocol.Violation;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One FWP/1 connection: reads frames in place from Netty's cumulation buffer (no object per
 * frame) through the protocol's flyweights, validates every field with the protocol's checks,
 * hands EVENTs to the engine straight from the buffer's memory, and answers with one coalesced ACK
 * per read batch — in SYNC mode once the group commit covers the batch. Every rule of FWP/1 that a
 * client can break ends in the ERROR or REJECT the protocol names.
 *
 * <p>Back pressure: when the engine answers BACK_PRESSURED the handler either stops reading the
 * socket and retries the same frame on the event loop until it fits ({@link BackpressurePolicy#BLOCK}),
 * or answers REJECT OVERLOADED. A client that does not read its ACKs makes the channel unwritable:
 * the handler stops reading it, and closes it with an ERROR if that lasts past the slow-consumer timeout.
 *
 * <p>Thread-safety: confined to the connection's event loop.
 */
final class ConnectionHandler extends ByteToMessageDecoder {
    private static final long RETRY_NANOS = 200_000;
    private static final int MAX_UNACKED_BATCHES = 64;
    /**
     * After an ERROR, input is read and dropped up to this many bytes, so that the close is not a
     * reset that destroys the ERROR in the client's receive buffer; a client that floods beyond it
     * is cut off at once.
     */
    private static final long DRAIN_AFTER_ERROR_BYTES = 16L << 20;

    private final Engine engine;
    private final ServerConfig config;
    private final ServerCounters counters;
    private final long instanceId;
    private final Ingest ingest = new Ingest();
    private final AckQueue acks = new AckQueue(MAX_UNACKED_BATCHES);
    private final FrameHeader header = new FrameHeader();
    private final HelloFrame helloFrame = new HelloFrame();
    private final EventFrame eventFrame = new EventFrame();
    private final PingFrame pingFrame = new PingFrame();
    /** The input buffer's memory for this decode call, and where its index 0 lies in it. */
    private MemorySegment inMemory;
    private long inBase;

    private boolean helloDone;
    private boolean closing;
    private long drainedAfterError;
    private boolean blocked;
    private boolean hasCorrelation;
    private long lastCorrelationId;
    /** Progress of the current read batch: last EVENT answered, its ACK index, largest index accepted. */
    private boolean batchHasEvents;
    private long batchCorrelationId;
    private long batchAckIndex;
    private long batchMaxIndex = -1;
    private ChannelHandlerContext context;
    private ScheduledFuture<?> retryTask;
    private ScheduledFuture<?> durableTask;
    private ScheduledFuture<?> slowConsumerTask;
    private ScheduledFuture<?> errorCloseTask;
    /** Lazily made: holds a payload when the inbound buffer has no memory address (heap buffers). */
    private Arena scratchArena;
    private MemorySegment scratch;

    ConnectionHandler(Engine engine, ServerConfig config, ServerCounters counters, long instanceId) {
        this.engine = engine;
        this.config = config;
        this.counters = counters;
        this.instanceId = instanceId;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.context = ctx;
        counters.connectionOpened();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (closing) {
            drainedAfterError += in.readableBytes();
            in.skipBytes(in.readableBytes()); // after an ERROR the input is dropped, not accumulated
            if (drainedAfterError > DRAIN_AFTER_ERROR_BYTES) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        readFrames(ctx, in);
    }

    /** Handles every whole frame in {@code in}; stops early when blocked or closing. */
    private void readFrames(ChannelHandlerContext ctx, ByteBuf in) {
        inMemory = NettyFrames.memory(in);
        inBase = NettyFrames.address(in);
        while (!closing && !blocked) {
            int readable = in.readableBytes();
            if (readable < FrameHeader.LENGTH_FIELD_SIZE) {
                return;
            }
            int start = in.readerIndex();
            Violation badLength = FrameHeader.checkLength(FrameHeader.lengthAt(inMemory, inBase + start),
                config.maxFrameLength());
            if (badLength != null) {
                fail(ctx, in, badLength);
                return;
            }
            header.wrap(inMemory, inBase + start);
            if (readable < header.frameBytes()) {
                return; // wait for the rest of the frame
            }
            Violation badFlags = header.checkFlags();
            if (badFlags != null) {
                fail(ctx, in, badFlags);
                return;
            }
            int kind = header.kind();
            if (!helloDone && kind != FrameKind.HELLO) {
                fail(ctx, in, ErrorCode.PROTOCOL_VIOLATION, FrameKind.name(kind) + " before HELLO");
                return;
            }
            long body = header.bodyOffset();
            int bodyLength = header.bodyLength();
            int frameBytes = (int) header.frameBytes();
            boolean consumed = switch (kind) {
                case FrameKind.HELLO -> hello(ctx, in, body, bodyLength);
                case FrameKind.EVENT -> event(ctx, in, body, bodyLength);
                case FrameKind.PING -> ping(ctx, in, body, bodyLength);
                case FrameKind.PONG -> checked(ctx, in, PingFrame.check(kind, bodyLength));
                default -> {
                    fail(ctx, in, ErrorCode.PROTOCOL_VIOLATION, "unexpected frame kind " + FrameKind.name(kind)
                        + " from a client");
                    yield false;
                }
            };
            if (!consumed) {
                return;
            }
            in.readerIndex(start + frameBytes);
        }
    }

    private boolean hello(ChannelHandlerContext ctx, ByteBuf in, long body, int bodyLength) {
        if (helloDone) {
            fail(ctx, in, ErrorCode.PROTOCOL_VIOLATION, "a second HELLO");
            return false;
        }
        if (!checked(ctx, in, HelloFrame.check(inMemory, body, bodyLength))) {
            return false;
        }
        helloFrame.wrap(inMemory, body);
        if (config.token() != null && !helloFrame.tokenEquals(config.token())) {
            fail(ctx, in, ErrorCode.UNAUTHORIZED, helloFrame.tokenLength() == 0 ? "a token is required" : "wrong token");
            return false;
        }
        helloDone = true;
        ctx.write(NettyFrames.welcome(ctx.alloc(), config.maxFrameLength(), instanceId), ctx.voidPromise());
        return true;
    }

    private boolean event(ChannelHandlerContext ctx, ByteBuf in, long body, int bodyLength) {
        Violation malformed = EventFrame.check(inMemory, body, bodyLength);
        if (malformed != null && malformed.code() == ErrorCode.MALFORMED_FRAME) {
            fail(ctx, in, malformed);
            return false;
        }
        EventFrame event = eventFrame.wrap(inMemory, body, bodyLength);
        long correlationId = event.correlationId();
        if (hasCorrelation && Long.compareUnsigned(correlationId, lastCorrelationId) <= 0) {
            fail(ctx, in, ErrorCode.PROTOCOL_VIOLATION, "correlationId " + Long.toUnsignedString(correlationId)
                + " does not increase (last " + Long.toUnsignedString(lastCorrelationId) + ")");
            return false;
        }
        if (malformed != null) {
            fail(ctx, in, malformed);
            return false;
        }
        int priority = event.priority();
        if (!EventFrame.isValidPriority(priority)) {
            reject(ctx, correlationId, ErrorCode.INVALID_EVENT, Messages.PRIORITY);
            return true;
        }
        int payloadLength = (int) event.payloadLength();
        MemorySegment payload;
        long payloadOffset;
        if (in.hasMemoryAddress()) {
            payload = inMemory;
            payloadOffset = event.payloadOffset();
        } else {
            payload = scratch(payloadLength);
            payloadOffset = 0;
            MemorySegment.copy(inMemory, event.payloadOffset(), payload, 0, payloadLength);
        }
        ingest.set(correlationId, event.type(), event.key(), event.eventId(), event.timestampNanos(), priority, payload,
            payloadOffset, payloadLength);
        long result = engine.offer(ingest);
        if (result >= 0) {
            answered(correlationId, ingest.duplicate() ? 0 : result);
            batchMaxIndex = Math.max(batchMaxIndex, result);
            counters.eventAccepted(ingest.duplicate());
            return true;
        }
        if (result == PublishResult.BACK_PRESSURED) {
            if (config.backpressure() == BackpressurePolicy.REJECT) {
                reject(ctx, correlationId, ErrorCode.OVERLOADED, Messages.OVERLOADED);
                return true;
            }
            block(ctx);
            return false;
        }
        if (result == PublishResult.CLOSED) {
            reject(ctx, correlationId, ErrorCode.SHUTTING_DOWN, Messages.SHUTTING_DOWN);
        } else if (result == PublishResult.JOURNAL_UNAVAILABLE) {
            reject(ctx, correlationId, ErrorCode.JOURNAL_UNAVAILABLE, Messages.JOURNAL_UNAVAILABLE);
        } else {
            reject(ctx, correlationId, ErrorCode.INVALID_EVENT, Messages.INVALID);
        }
        return true;
    }

    private boolean ping(ChannelHandlerContext ctx, ByteBuf in, long body, int bodyLength) {
        if (!checked(ctx, in, PingFrame.check(FrameKind.PING, bodyLength))) {
            return false;
        }
        ctx.write(NettyFrames.pong(ctx.alloc(), pingFrame.wrap(inMemory, body).nonce()), ctx.voidPromise());
        return true;
    }

    /** True when {@code violation} is null; else answers it (ERROR and close) and returns false. */
    private boolean checked(ChannelHandlerContext ctx, ByteBuf in, Violation violation) {
        if (violation == null) {
            return true;
        }
        fail(ctx, in, violation);
        return false;
    }

    private void answered(long correlationId, long ackIndex) {
        hasCorrelation = true;
        lastCorrelationId = correlationId;
        batchHasEvents = true;
        batchCorrelationId = correlationId;
        batchAckIndex = ackIndex;
    }

    private void reject(ChannelHandlerContext ctx, long correlationId, ErrorCode code, byte[] message) {
        answered(correlationId, 0);
        counters.eventRejected();
        ctx.write(NettyFrames.reject(ctx.alloc(), correlationId, code, message), ctx.voidPromise());
    }

    /**
     * ERROR, then close; the rest of the input is dropped. The close waits for the ERROR to be
     * written, but no longer than the slow-consumer timeout: a client that does not read would
     * otherwise hold the connection open for as long as it likes (while the outbound bytes stay
     * under the high water mark, the slow-consumer timer never starts).
     */
    private void fail(ChannelHandlerContext ctx, ByteBuf in, Violation violation) {
        fail(ctx, in, violation.code(), violation.message());
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, ErrorCode code, String message) {
        counters.protocolError();
        closeWithError(ctx, in, code, message);
    }

    /** ERROR, then close, as {@link #fail} describes; the caller counts why. */
    private void closeWithError(ChannelHandlerContext ctx, ByteBuf in, ErrorCode code, String message) {
        closing = true;
        in.skipBytes(in.readableBytes());
        // Read on, dropping the input: a close with unread input resets the connection, and a reset
        // makes the client's kernel discard what it had not read yet — this ERROR among it.
        ctx.channel().config().setAutoRead(true);
        flushAcks(ctx, true);
        ctx.writeAndFlush(NettyFrames.error(ctx.alloc(), code, message)).addListener(ChannelFutureListener.CLOSE);
        if (errorCloseTask == null) {
            errorCloseTask = ctx.executor().schedule(() -> {
                errorCloseTask = null;
                ctx.close();
            }, config.slowConsumerTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Not {@code super.channelReadComplete}: ByteToMessageDecoder calls {@code ctx.read()} there when
     * auto-read is off and no message was decoded, which is always the case here (frames are handled
     * in place) — so it would go on reading a socket that back pressure or a slow consumer paused.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        endBatch();
        flushAcks(ctx, false);
        ctx.flush();
        discardSomeReadBytes();
        ctx.fireChannelReadComplete();
    }

    /** Queues the read batch's cumulative ACK; it goes out once its events are durable. */
    private void endBatch() {
        if (!batchHasEvents) {
            return;
        }
        acks.add(batchCorrelationId, batchAckIndex, batchMaxIndex);
        batchHasEvents = false;
        batchMaxIndex = -1;
    }

    /** Writes the newest ACK whose events are all durable; re-arms itself while some are not. */
    private void flushAcks(ChannelHandlerContext ctx, boolean endOfConnection) {
        if (endOfConnection) {
            endBatch();
        }
        long durableGate = engine.durableGate();
        if (acks.releaseUpTo(durableGate)) {
            ctx.write(NettyFrames.ack(ctx.alloc(), acks.releasedCorrelationId(), acks.releasedIndex()), ctx.voidPromise());
            counters.ackSent();
        }
        if (!acks.isEmpty() && durableTask == null && !endOfConnection) {
            durableTask = ctx.executor().schedule(() -> {
                durableTask = null;
                flushAcks(ctx, false);
                ctx.flush();

            }, RETRY_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    private void block(ChannelHandlerContext ctx) {
        blocked = true;
        ctx.channel().config().setAutoRead(false);
        counters.connectionBlocked();
        if (retryTask == null) {
            retryTask = ctx.executor().schedule(() -> {
                retryTask = null;
                resume(ctx);
            }, RETRY_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** Retries the frames still buffered; reads again once they all went through. */
    private void resume(ChannelHandlerContext ctx) {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        blocked = false;
        readFrames(ctx, internalBuffer());
        endBatch();
        flushAcks(ctx, false);
        ctx.flush();
        if (!blocked && ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (!ctx.channel().isWritable()) {
            if (!closing) {
                ctx.channel().config().setAutoRead(false);
            }
            if (slowConsumerTask == null) {
                slowConsumerTask = ctx.executor().schedule(() -> {
                    slowConsumerTask = null;
                    if (ctx.channel().isWritable()) {
                        return;
                    }
                    if (closing) {
                        ctx.close(); // an ERROR is already queued and the client still does not read
                        return;
                    }
                    // ERROR SLOW_CONSUMER goes behind what the client has not read; the connection
                    // closes once it is written, or after one more timeout if the client never reads.
                    counters.slowConsumerClosed();
                    closeWithError(ctx, internalBuffer(), ErrorCode.SLOW_CONSUMER, "the client did not read what the server"
                        + " sent for " + config.slowConsumerTimeout().toMillis() + " ms; closing");
                }, config.slowConsumerTimeout().toNanos(), TimeUnit.NANOSECONDS);
            }
        } else {
            if (slowConsumerTask != null) {
                slowConsumerTask.cancel(false);
                slowConsumerTask = null;
            }
            if (!blocked && !closing) {
                ctx.channel().config().setAutoRead(true);
            }
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closing && cause instanceof ClosedChannelException) {
            return; // writes (void promises) this handler abandoned by closing a slow consumer on purpose
        }
        counters.connectionFailed(cause);
        ctx.close();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        for (ScheduledFuture<?> task : new ScheduledFuture<?>[] {retryTask, durableTask, slowConsumerTask, errorCloseTask}) {
            if (task != null) {
                task.cancel(false);
            }
        }
        if (scratchArena != null) {
            scratchArena.close();
            scratchArena = null;
        }
        counters.connectionClosed();
    }

    private MemorySegment scratch(int length) {
        if (scratch == null || scratch.byteSize() < length) {
            if (scratchArena != null) {
                scratchArena.close();
            }
            scratchArena = Arena.ofConfined();
            scratch = scratchArena.allocate(Math.max(length, 4096));
        }
        return scratch;
    }

    /** REJECT messages, encoded once. */
    private static final class Messages {
        static final byte[] PRIORITY = "priority must be 0..3".getBytes(StandardCharsets.UTF_8);
        static final byte[] OVERLOADED = "the engine is full; retry later".getBytes(StandardCharsets.UTF_8);
        static final byte[] SHUTTING_DOWN = "the engine is stopping".getBytes(StandardCharsets.UTF_8);
        static final byte[] JOURNAL_UNAVAILABLE = "the journal cannot be written".getBytes(StandardCharsets.UTF_8);
        static final byte[] INVALID = "the engine refused this event (payload too large?)".getBytes(StandardCharsets.UTF_8);
    }
}
