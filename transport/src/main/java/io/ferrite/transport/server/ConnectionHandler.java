package io.ferrite.transport.server;

import io.ferrite.engine.Engine;
import io.ferrite.engine.Ingest;
import io.ferrite.engine.PublishResult;
import io.ferrite.offheap.AddressSpace;
import io.ferrite.transport.protocol.ErrorCode;
import io.ferrite.transport.protocol.FrameWriter;
import io.ferrite.transport.protocol.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One FWP/1 connection: reads frames in place from Netty's cumulation buffer (no object per
 * frame), validates every field, hands EVENTs to the engine straight from the buffer's memory,
 * and answers with one coalesced ACK per read batch — in SYNC mode once the group commit covers
 * the batch. Every rule of PROTOCOL.md that a client can break ends in the ERROR or REJECT it
 * names.
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

    private final Engine engine;
    private final ServerConfig config;
    private final ServerCounters counters;
    private final long instanceId;
    private final Ingest ingest = new Ingest();
    private final AckQueue acks = new AckQueue(MAX_UNACKED_BATCHES);

    private boolean helloDone;
    private boolean closing;
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
    private ByteBuffer scratchView;

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
            in.skipBytes(in.readableBytes()); // after an ERROR the input is dropped, not accumulated
            return;
        }
        readFrames(ctx, in);
    }

    /** Handles every whole frame in {@code in}; stops early when blocked or closing. */
    private void readFrames(ChannelHandlerContext ctx, ByteBuf in) {
        while (!closing && !blocked) {
            int readable = in.readableBytes();
            if (readable < Frames.LENGTH_FIELD_SIZE) {
                return;
            }
            int start = in.readerIndex();
            long length = in.getUnsignedIntLE(start);
            if (length < Frames.MIN_LENGTH) {
                fail(ctx, in, ErrorCode.MALFORMED_FRAME, "frame length " + length + " is below 4");
                return;
            }
            if (length > config.maxFrameLength()) {
                fail(ctx, in, ErrorCode.FRAME_TOO_LARGE,
                    "frame length " + length + " exceeds maxFrameLength " + config.maxFrameLength());
                return;
            }
            if (readable < Frames.LENGTH_FIELD_SIZE + length) {
                return; // wait for the rest of the frame
            }
            int kind = in.getUnsignedShortLE(start + Frames.KIND_OFFSET);
            int flags = in.getUnsignedShortLE(start + Frames.FLAGS_OFFSET);
            int body = start + Frames.BODY_OFFSET;
            int bodyLength = (int) length - Frames.MIN_LENGTH;
            if (flags != 0) {
                fail(ctx, in, ErrorCode.PROTOCOL_VIOLATION, "flags must be 0 in FWP/1, were " + flags);
                return;
            }
            if (!helloDone && kind != Frames.HELLO) {
                fail(ctx, in, ErrorCode.PROTOCOL_VIOLATION, Frames.kindName(kind) + " before HELLO");
                return;
            }
            boolean consumed = switch (kind) {
                case Frames.HELLO -> hello(ctx, in, body, bodyLength);
                case Frames.EVENT -> event(ctx, in, body, bodyLength);
                case Frames.PING -> ping(ctx, in, body, bodyLength);
                case Frames.PONG -> fixedBody(ctx, in, bodyLength, Frames.PING_BODY, "PONG");
                default -> {
                    fail(ctx, in, ErrorCode.PROTOCOL_VIOLATION, "unexpected frame kind " + Frames.kindName(kind)
                        + " from a client");
                    yield false;
                }
            };
            if (!consumed) {
                return;
            }
            in.readerIndex(start + Frames.LENGTH_FIELD_SIZE + (int) length);
        }
    }

    private boolean hello(ChannelHandlerContext ctx, ByteBuf in, int body, int bodyLength) {
        if (helloDone) {
            fail(ctx, in, ErrorCode.PROTOCOL_VIOLATION, "a second HELLO");
            return false;
        }
        if (bodyLength < Frames.HELLO_MIN_BODY) {
            fail(ctx, in, ErrorCode.MALFORMED_FRAME, "HELLO body of " + bodyLength + " bytes is shorter than 12");
            return false;
        }
        int version = in.getUnsignedShortLE(body);
        int reserved = in.getUnsignedShortLE(body + 2);
        long tokenLength = in.getUnsignedIntLE(body + 4);
        if (tokenLength > bodyLength - Frames.HELLO_MIN_BODY) {
            fail(ctx, in, ErrorCode.MALFORMED_FRAME, "HELLO tokenLength " + tokenLength + " overruns the frame");
            return false;
        }
        int nameLengthAt = body + 8 + (int) tokenLength;
        long nameLength = in.getUnsignedIntLE(nameLengthAt);
        if (Frames.HELLO_MIN_BODY + tokenLength + nameLength != bodyLength) {
            fail(ctx, in, ErrorCode.MALFORMED_FRAME, "HELLO lengths (token " + tokenLength + ", name " + nameLength
                + ") do not add up to its body of " + bodyLength + " bytes");
            return false;
        }
        if (!isUtf8(in, nameLengthAt + 4, (int) nameLength)) {
            fail(ctx, in, ErrorCode.MALFORMED_FRAME, "HELLO client name is not valid UTF-8");
            return false;
        }
        if (reserved != 0) {
            fail(ctx, in, ErrorCode.PROTOCOL_VIOLATION, "HELLO reserved field must be 0, was " + reserved);
            return false;
        }
        if (version != Frames.VERSION) {
            fail(ctx, in, ErrorCode.UNSUPPORTED_VERSION, "version " + version + " is not supported; this server speaks 1");
            return false;
        }
        if (config.token() != null) {
            byte[] token = new byte[(int) tokenLength];
            in.getBytes(body + 8, token);
            if (!MessageDigest.isEqual(token, config.token())) {
                fail(ctx, in, ErrorCode.UNAUTHORIZED, tokenLength == 0 ? "a token is required" : "wrong token");
                return false;
            }
        }
        helloDone = true;
        ByteBuf welcome = ctx.alloc().ioBuffer(FrameWriter.frameSize(Frames.WELCOME_BODY));
        FrameWriter.welcome(welcome, config.maxFrameLength(), instanceId);
        ctx.write(welcome, ctx.voidPromise());
        return true;
    }

    private boolean event(ChannelHandlerContext ctx, ByteBuf in, int body, int bodyLength) {
        if (bodyLength < Frames.EVENT_HEADER_LENGTH) {
            fail(ctx, in, ErrorCode.MALFORMED_FRAME, "EVENT body of " + bodyLength + " bytes is shorter than 40");
            return false;
        }
        long correlationId = in.getLongLE(body);
        if (hasCorrelation && Long.compareUnsigned(correlationId, lastCorrelationId) <= 0) {
            fail(ctx, in, ErrorCode.PROTOCOL_VIOLATION, "correlationId " + Long.toUnsignedString(correlationId)
                + " does not increase (last " + Long.toUnsignedString(lastCorrelationId) + ")");
            return false;
        }
        if (in.getUnsignedMediumLE(body + 37) != 0) {
            fail(ctx, in, ErrorCode.PROTOCOL_VIOLATION, "EVENT reserved bytes must be 0");
            return false;
        }
        int priority = in.getUnsignedByte(body + 36);
        if (priority > 3) {
            reject(ctx, correlationId, ErrorCode.INVALID_EVENT, Messages.PRIORITY);
            return true;
        }
        int payloadLength = bodyLength - Frames.EVENT_HEADER_LENGTH;
        int payloadIndex = body + Frames.EVENT_HEADER_LENGTH;
        MemorySegment payload;
        long payloadOffset;
        if (in.hasMemoryAddress()) {
            payload = AddressSpace.ALL;
            payloadOffset = in.memoryAddress() + payloadIndex;
        } else {
            payload = scratch(payloadLength);
            payloadOffset = 0;
            in.getBytes(payloadIndex, scratchView.clear().limit(payloadLength));
        }
        ingest.set(correlationId, in.getIntLE(body + 32), in.getLongLE(body + 16), in.getLongLE(body + 8),
            in.getLongLE(body + 24), priority, payload, payloadOffset, payloadLength);
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

    private boolean ping(ChannelHandlerContext ctx, ByteBuf in, int body, int bodyLength) {
        if (!fixedBody(ctx, in, bodyLength, Frames.PING_BODY, "PING")) {
            return false;
        }
        ByteBuf pong = ctx.alloc().ioBuffer(FrameWriter.frameSize(Frames.PING_BODY));
        FrameWriter.pong(pong, in.getLongLE(body));
        ctx.write(pong, ctx.voidPromise());
        return true;
    }

    private boolean fixedBody(ChannelHandlerContext ctx, ByteBuf in, int bodyLength, int expected, String kind) {
        if (bodyLength != expected) {
            fail(ctx, in, ErrorCode.MALFORMED_FRAME, kind + " body must be " + expected + " bytes, was " + bodyLength);
            return false;
        }
        return true;
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
        ByteBuf frame = ctx.alloc().ioBuffer(FrameWriter.frameSize(Frames.REJECT_MIN_BODY + message.length));
        FrameWriter.reject(frame, correlationId, code, message);
        ctx.write(frame, ctx.voidPromise());
    }

    /**
     * ERROR, then close; the rest of the input is dropped. The close waits for the ERROR to be
     * written, but no longer than the slow-consumer timeout: a client that does not read would
     * otherwise hold the connection open for as long as it likes (while the outbound bytes stay
     * under the high water mark, the slow-consumer timer never starts).
     */
    private void fail(ChannelHandlerContext ctx, ByteBuf in, ErrorCode code, String message) {
        closing = true;
        counters.protocolError();
        in.skipBytes(in.readableBytes());
        flushAcks(ctx, true);
        ByteBuf frame = ctx.alloc().ioBuffer();
        FrameWriter.error(frame, code, message);
        ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
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
            ByteBuf frame = ctx.alloc().ioBuffer(FrameWriter.frameSize(Frames.ACK_BODY));
            FrameWriter.ack(frame, acks.releasedCorrelationId(), acks.releasedIndex());
            ctx.write(frame, ctx.voidPromise());
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
            ctx.channel().config().setAutoRead(false);
            if (slowConsumerTask == null) {
                slowConsumerTask = ctx.executor().schedule(() -> {
                    slowConsumerTask = null;
                    if (ctx.channel().isWritable()) {
                        return;
                    }
                    if (!closing) {
                        closing = true;
                        counters.slowConsumerClosed();
                        ByteBuf frame = ctx.alloc().ioBuffer();
                        FrameWriter.error(frame, ErrorCode.OVERLOADED, "the client did not read its ACKs for "
                            + config.slowConsumerTimeout().toMillis() + " ms; closing");
                        ctx.writeAndFlush(frame, ctx.voidPromise());
                    }
                    // Close now: the client is not reading, so waiting for this (or an earlier) ERROR
                    // to be written would keep the connection open for as long as it chooses.
                    ctx.close();
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
            scratchView = scratch.asByteBuffer();
        }
        return scratch;
    }

    private static boolean isUtf8(ByteBuf in, int index, int length) {
        ByteBuffer bytes = in.nioBuffer(index, length);
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes);
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
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
