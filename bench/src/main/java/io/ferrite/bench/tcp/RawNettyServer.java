package io.ferrite.bench.tcp;

import io.ferrite.transport.protocol.Frames;
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
final class RawNettyServer implements IngestTarget {
    private static final int MAX_FRAME_LENGTH = Frames.DEFAULT_MAX_FRAME_LENGTH;

    private final EventLoopGroup group;
    private final Channel channel;
    private final LongAdder events = new LongAdder();

    RawNettyServer(TransportKind transport) {
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
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
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
            while (in.readableBytes() >= Frames.LENGTH_FIELD_SIZE) {
                int start = in.readerIndex();
                int length = in.getIntLE(start);
                if (in.readableBytes() < Frames.LENGTH_FIELD_SIZE + length) {
                    break;
                }
                int kind = in.getUnsignedShortLE(start + Frames.KIND_OFFSET);
                if (kind == Frames.EVENT) {
                    lastCorrelationId = in.getLongLE(start + Frames.BODY_OFFSET);
                    batch++;
                } else if (kind == Frames.HELLO) {
                    ctx.write(welcome(ctx));
                } else if (kind == Frames.PING) {
                    ctx.write(frame(ctx, Frames.PONG, in.getLongLE(start + Frames.BODY_OFFSET), -1));
                }
                in.skipBytes(Frames.LENGTH_FIELD_SIZE + length);
            }
            counted += batch;
            total.add(batch);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            if (lastCorrelationId > ackedCorrelationId) {
                ackedCorrelationId = lastCorrelationId;
                ctx.write(frame(ctx, Frames.ACK, lastCorrelationId, counted));
            }
            ctx.flush();
            super.channelReadComplete(ctx);
        }

        private static ByteBuf welcome(ChannelHandlerContext ctx) {
            ByteBuf buf = ctx.alloc().buffer(Frames.BODY_OFFSET + Frames.WELCOME_BODY);
            buf.writeIntLE(Frames.MIN_LENGTH + Frames.WELCOME_BODY).writeShortLE(Frames.WELCOME).writeShortLE(0);
            buf.writeShortLE(Frames.VERSION).writeShortLE(0).writeIntLE(MAX_FRAME_LENGTH).writeLongLE(42);
            return buf;
        }

        /** ACK (two longs) or, with {@code second} negative, PONG (one long). */
        private static ByteBuf frame(ChannelHandlerContext ctx, int kind, long first, long second) {
            int body = second < 0 ? 8 : 16;
            ByteBuf buf = ctx.alloc().buffer(Frames.BODY_OFFSET + body);
            buf.writeIntLE(Frames.MIN_LENGTH + body).writeShortLE(kind).writeShortLE(0).writeLongLE(first);
            if (second >= 0) {
                buf.writeLongLE(second);
            }
            return buf;
        }
    }
}
