package io.ferrite.bench.tcp;

import io.ferrite.protocol.EventFrame;
import io.ferrite.protocol.FrameHeader;
import io.ferrite.protocol.FrameKind;
import io.ferrite.transport.server.NettyFrames;
import io.ferrite.transport.server.TransportKind;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The raw Netty loopback peer: the least a server can do with FWP/1 EVENT frames — split the
 * stream into frames, count the EVENTs, answer one cumulative ACK per read batch (and WELCOME to
 * HELLO, PONG to PING). No validation, no engine, no journal: the ceiling of Ferrite's TCP ingest
 * on the same transport, one event loop, same socket options.
 *
 * <p>Thread-safety: start and close from one thread; {@link #events()} from any.
 */
public final class RawNettyServer implements IngestTarget {
    private static final int MAX_FRAME_LENGTH = FrameHeader.DEFAULT_MAX_FRAME_LENGTH;

    private final EventLoopGroup group;
    private final Channel channel;
    private final LongAdder events = new LongAdder();

    RawNettyServer(TransportKind transport) {
        this(transport, 0);
    }

    /** A raw server on {@code port} of 127.0.0.1 (0 = any free port). */
    public RawNettyServer(TransportKind transport, int port) {
        group = new MultiThreadIoEventLoopGroup(1, NettyTransports.ioHandlerFactory(transport));
        try {
            channel = new ServerBootstrap().group(group).channel(NettyTransports.serverChannel(transport))
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel child) {
                        child.pipeline().addLast(new CountingDecoder(events));
                    }
                })
                .bind("127.0.0.1", port).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Events counted so far. */
    public long eventCount() {
        return events.sum();
    }

    @Override
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    long events() {
        return events.sum();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** One connection: frames counted in place; one ACK per read batch. Event-loop confined. */
    private static final class CountingDecoder extends ByteToMessageDecoder {
        private final LongAdder total;
        private long lastCorrelationId;
        private long ackedCorrelationId;
        private long counted;

        CountingDecoder(LongAdder total) {
            this.total = total;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            long batch = 0;
            while (in.readableBytes() >= FrameHeader.LENGTH_FIELD_SIZE) {
                int start = in.readerIndex();
                int length = in.getIntLE(start + FrameHeader.LENGTH_OFFSET);
                if (in.readableBytes() < FrameHeader.LENGTH_FIELD_SIZE + length) {
                    break;
                }
                int kind = in.getUnsignedShortLE(start + FrameHeader.KIND_OFFSET);
                if (kind == FrameKind.EVENT) {
                    lastCorrelationId = in.getLongLE(start + FrameHeader.BODY_OFFSET + EventFrame.CORRELATION_ID_OFFSET);
                    batch++;
                } else if (kind == FrameKind.HELLO) {
                    ctx.write(NettyFrames.welcome(ctx.alloc(), MAX_FRAME_LENGTH, 42));
                } else if (kind == FrameKind.PING) {
                    ctx.write(NettyFrames.pong(ctx.alloc(), in.getLongLE(start + FrameHeader.BODY_OFFSET)));
                }
                in.skipBytes(FrameHeader.LENGTH_FIELD_SIZE + length);
            }
            counted += batch;
            total.add(batch);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            if (lastCorrelationId > ackedCorrelationId) {
                ackedCorrelationId = lastCorrelationId;
                ctx.write(NettyFrames.ack(ctx.alloc(), lastCorrelationId, counted));
            }
            ctx.flush();
            super.channelReadComplete(ctx);
        }
    }
}
