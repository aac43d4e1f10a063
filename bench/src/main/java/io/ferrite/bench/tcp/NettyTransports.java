package io.ferrite.bench.tcp;

import io.ferrite.transport.server.TransportKind;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/**
 * The Netty classes behind each {@link TransportKind}, for the raw Netty peer (the server's own
 * mapping is private to it).
 *
 * <p>Thread-safety: stateless.
 */
final class NettyTransports {
    private NettyTransports() {
    }

    static IoHandlerFactory ioHandlerFactory(TransportKind kind) {
        return switch (kind.resolve()) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
    }

    static Class<? extends ServerChannel> serverChannel(TransportKind kind) {
        return switch (kind.resolve()) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
    }

    /** Why {@code kind} cannot run here, or null. */
    static String unavailableReason(TransportKind kind) {
        return kind.unavailabilityCause().map(cause -> "transport " + kind.cliName() + " unavailable: " + cause.getMessage())
            .orElse(null);
    }
}
