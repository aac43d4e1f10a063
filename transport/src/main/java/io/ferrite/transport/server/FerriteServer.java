package io.ferrite.transport.server;

import io.ferrite.affinity.CpuLayout;
import io.ferrite.affinity.PinningThreadFactory;
import io.ferrite.engine.Engine;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The FWP/1 server: Netty event loops (io_uring, epoll or NIO) on threads made for the {@code io}
 * role, one {@link ConnectionHandler} per connection, publishing into an {@link Engine}.
 *
 * <p>Thread-safety: start and close from one thread; the counters from any.
 */
public final class FerriteServer implements AutoCloseable {
    private final ServerConfig config;
    private final TransportKind transport;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ServerCounters counters = new ServerCounters();
    private final AuthThrottle authThrottle;
    private final long instanceId = ThreadLocalRandom.current().nextLong();

    private FerriteServer(Engine engine, ServerConfig config) throws Exception {
        this.config = config;
        this.authThrottle = new AuthThrottle(config.authFailuresPerMinute());
        this.transport = config.transport().resolve();
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(),
            new PinningThreadFactory(config.cpuLayout(), CpuLayout.IO, true), transport.ioHandlerFactory());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                    new WriteBufferWaterMark(config.writeLowWaterMark(), config.writeHighWaterMark()))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        connections.add(channel);
                        channel.pipeline().addLast("fwp", new ConnectionHandler(engine, config, counters, authThrottle, instanceId));
                    }
                });
            this.serverChannel = bootstrap.bind(config.bind(), config.port()).sync().channel();
        } catch (Exception e) { // Netty rethrows a failed bind's checked IOException unchecked
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * Binds and starts serving.
     *
     * @throws IllegalStateException when the transport is unavailable or the port cannot be bound
     */
    public static FerriteServer start(Engine engine, ServerConfig config) {
        try {
            return new FerriteServer(engine, config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + config.bind() + ":" + config.port(), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on " + config.bind() + ":" + config.port() + " ("
                + config.transport().cliName() + "): " + e.getMessage(), e);
        }
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public String host() {
        return config.bind();
    }

    /** The transport in use (AUTO resolved). */
    public TransportKind transport() {
        return transport;
    }

    public ServerCounters counters() {
        return counters;
    }

    /** Stops accepting, closes every connection (ACKs already owed are flushed first), stops the loops. */
    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly();
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
