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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The FWP/1 server: Netty event loops (io_uring, epoll or NIO) on threads made for the {@code io}
 * role, one {@link ConnectionHandler} per connection, publishing into an {@link Engine}. With
 * {@link ServerConfig#tls()} each connection starts with Netty's {@link SslHandler}; frames are the
 * same inside TLS. Plain TCP on a non-loopback address is logged as a warning.
 *
 * <p>Thread-safety: start and close from one thread; the counters from any.
 */
public final class FerriteServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FerriteServer.class);

    private final ServerConfig config;
    private final TransportKind transport;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ServerCounters counters = new ServerCounters();
    private final AuthThrottle authThrottle;
    private final long instanceId = ThreadLocalRandom.current().nextLong();
    private final SslContext tls;

    private FerriteServer(Engine engine, ServerConfig config, SslContext tls) throws Exception {
        this.config = config;
        this.tls = tls;
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
                        if (tls != null) {
                            SslHandler handler = tls.newHandler(channel.alloc());
                            handler.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
                            channel.pipeline().addLast("tls", handler);
                        }
                        channel.pipeline().addLast("fwp", new ConnectionHandler(engine, config, counters, authThrottle, instanceId));
                    }
                });
            this.serverChannel = bootstrap.bind(config.bind(), config.port()).sync().channel();
            warnIfExposedInPlainText();
        } catch (Exception e) { // Netty rethrows a failed bind's checked IOException unchecked
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    private void warnIfExposedInPlainText() {
        InetAddress address = ((InetSocketAddress) serverChannel.localAddress()).getAddress();
        if (tls == null && !address.isLoopbackAddress()) {
            LOG.warn("FWP/1 on {}:{} is plain TCP on a non-loopback address: tokens and events cross the network"
                + " unencrypted; give it --tls-cert and --tls-key", config.bind(), port());
        }
    }

    /**
     * Binds and starts serving.
     *
     * @throws IllegalArgumentException when the TLS files do not make a usable certificate and key
     * @throws IllegalStateException    when the transport or TLS provider is unavailable, or the port cannot be bound
     */
    public static FerriteServer start(Engine engine, ServerConfig config) {
        SslContext tls = config.tls() == null ? null : config.tls().newServerContext();
        try {
            return new FerriteServer(engine, config, tls);
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

    /** The TLS context both ports use, or null for plain TCP. */
    public SslContext tlsContext() {
        return tls;
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
