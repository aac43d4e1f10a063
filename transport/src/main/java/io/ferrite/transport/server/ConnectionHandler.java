package io.ferrite.transport.server;

import io.ferrite.engine.Engine;
import io.ferrite.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One FWP/1 connection on its Netty event loop: frames are decoded by {@link InboundFrames}
 * (in place; a read's events go to the engine's sequencer as one batch) and answered by
 * {@link OutboundAnswers} (REJECTs at once, one cumulative ACK per read, after the covering group
 * commit in SYNC mode). This class owns what is Netty's: reading or not, timers, and closing.
 *
 * <p>Back pressure: when the engine is full the connection stops reading its socket and retries
 * the events left in the buffer until they fit ({@link BackpressurePolicy#BLOCK}; with
 * {@code REJECT} they are refused with OVERLOADED instead). A client that does not read what the
 * server sends makes the channel unwritable: the server stops reading it, and past the
 * slow-consumer timeout queues ERROR SLOW_CONSUMER behind what the client has not read.
 *
 * <p>Connection hygiene (FWP/1 rule 10): no HELLO within the handshake timeout, or nothing at all
 * for the idle timeout once authenticated, gets ERROR PROTOCOL_VIOLATION and the close; a
 * connection beyond the server's maximum gets ERROR CONNECTION_LIMIT for its HELLO.
 *
 * <p>Thread-safety: confined to the connection's event loop.
 */
final class ConnectionHandler extends ByteToMessageDecoder implements InboundFrames.Faults {
    private static final long RETRY_NANOS = 200_000;
    /**
     * After an ERROR, input is read and dropped up to this many bytes, so that the close is not a
     * reset that destroys the ERROR in the client's receive buffer; a client that floods beyond it
     * is cut off at once.
     */
    private static final long DRAIN_AFTER_ERROR_BYTES = 16L << 20;

    private final ServerConfig config;
    private final ServerCounters counters;
    private final OutboundAnswers answers;
    private final InboundFrames inbound;

    private ChannelHandlerContext context;
    private boolean closing;
    private long drainedAfterError;
    private boolean blocked;
    private ScheduledFuture<?> retryTask;
    private ScheduledFuture<?> slowConsumerTask;
    private ScheduledFuture<?> errorCloseTask;
    private ScheduledFuture<?> handshakeTask;
    private ScheduledFuture<?> idleTask;
    private boolean admitted;
    /** When the last read began (for the idle timeout). */
    private long lastReadNanos;
    /** Between a read's first decode and its channelReadComplete. */
    private boolean readOpen;
    private long openedNanos;
    /** The ERROR this connection was closed with, or null. */
    private ErrorCode closedWith;

    ConnectionHandler(Engine engine, ServerConfig config, ServerCounters counters, AuthThrottle throttle,
                      long instanceId) {
        this.config = config;
        this.counters = counters;
        this.answers = new OutboundAnswers(engine, counters, config.recordLatency());
        this.inbound = new InboundFrames(engine, config, instanceId, answers, this, counters, throttle);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.context = ctx;
        answers.attach(ctx);
        counters.connectionOpened();
        admitted = counters.tryAdmit(config.maxConnections());
        SocketAddress remote = ctx.channel().remoteAddress();
        inbound.connected(remote instanceof InetSocketAddress address ? address.getAddress() : null, admitted);
        lastReadNanos = System.nanoTime();
        openedNanos = lastReadNanos;
        handshakeTask = ctx.executor().schedule(() -> {
            handshakeTask = null;
            if (!inbound.helloDone() && !closing) {
                counters.handshakeTimedOut();
                closeWithError(ctx, internalBuffer(), ErrorCode.PROTOCOL_VIOLATION, "no HELLO within the handshake"
                    + " timeout of " + config.handshakeTimeout().toMillis() + " ms");
            }
        }, config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        if (!config.idleTimeout().isZero()) {
            long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), config.idleTimeout().toNanos() / 4);
            idleTask = ctx.executor().scheduleAtFixedRate(this::closeIfIdle, period, period, TimeUnit.NANOSECONDS);
        }
    }

    /** The idle timeout's check: an authenticated connection that sent nothing for that long is closed. */
    private void closeIfIdle() {
        if (closing || !inbound.helloDone() || System.nanoTime() - lastReadNanos < config.idleTimeout().toNanos()) {
            return;
        }
        counters.closedIdle();
        closeWithError(context, internalBuffer(), ErrorCode.PROTOCOL_VIOLATION, "nothing received for the idle timeout of "
            + config.idleTimeout().toMillis() + " ms; an idle client keeps its connection with PING");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!readOpen && (config.recordLatency() || idleTask != null)) {
            readOpen = true; // the first decode of a read: one clock read per read, for the ACK latency and the idle timer
            long now = System.nanoTime();
            answers.readStarted(now);
            lastReadNanos = now;
        }
        if (closing) {
            drainedAfterError += in.readableBytes();
            in.skipBytes(in.readableBytes()); // after an ERROR the input is dropped, not accumulated
            if (drainedAfterError > DRAIN_AFTER_ERROR_BYTES) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        if (blocked) {
            return; // the retry task reads what is buffered once the engine has room
        }
        inbound.read(in);
        if (inbound.blocked()) {
            block(ctx);
        }
    }

    @Override
    public void protocolViolation(ErrorCode code, String message) {
        counters.protocolError();
        closeWithError(context, internalBuffer(), code, message);
    }

    /**
     * ERROR, then close; the rest of the input is dropped. The close waits for the ERROR to be
     * written, but no longer than the slow-consumer timeout: a client that does not read would
     * otherwise hold the connection open for as long as it likes (while the outbound bytes stay
     * under the high water mark, the slow-consumer timer never starts).
     */
    private void closeWithError(ChannelHandlerContext ctx, ByteBuf in, ErrorCode code, String message) {
        closing = true;
        closedWith = code;
        in.skipBytes(in.readableBytes());
        // Read on, dropping the input: a close with unread input resets the connection, and a reset
        // makes the client's kernel discard what it had not read yet — this ERROR among it.
        ctx.channel().config().setAutoRead(true);
        answers.error(code, message);
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
        readOpen = false;
        if (!closing) {
            answers.endOfRead();
        }
        ctx.flush();
        discardSomeReadBytes();
        ctx.fireChannelReadComplete();
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
        inbound.read(internalBuffer());
        if (!closing) {
            answers.endOfRead();
        }
        ctx.flush();
        if (inbound.blocked()) {
            block(ctx);
        } else if (!closing && ctx.channel().isWritable()) {
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
                    closeWithError(ctx, internalBuffer(), ErrorCode.SLOW_CONSUMER, "the client did not read what the"
                        + " server sent for " + config.slowConsumerTimeout().toMillis() + " ms; closing");
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
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
            counters.tlsHandshakeFailed(); // the SslHandler closes the connection; its cause goes to exceptionCaught
        }
        super.userEventTriggered(ctx, event);
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
        for (ScheduledFuture<?> task : new ScheduledFuture<?>[] {retryTask, slowConsumerTask, errorCloseTask,
            handshakeTask, idleTask}) {
            if (task != null) {
                task.cancel(false);
            }
        }
        answers.close();
        if (ConnectionClosedEvent.TYPE.isEnabled()) {
            ConnectionClosedEvent event = new ConnectionClosedEvent();
            event.remote = String.valueOf(ctx.channel().remoteAddress());
            event.code = closedWith == null ? "none" : closedWith.name();
            event.lifetime = System.nanoTime() - openedNanos;
            event.commit();
        }
        if (admitted) {
            counters.releaseAdmission();
        }
        counters.connectionClosed();
    }
}
