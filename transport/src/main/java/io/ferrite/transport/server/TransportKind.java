package io.ferrite.transport.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

import java.util.Locale;
import java.util.Optional;

/**
 * The Netty transports the server can run on. {@link #AUTO} picks epoll when available, else NIO.
 * Measured (perf-reports/2026-11-25-transport-quick and -tcp-full, 64-byte events, 1 and 4
 * connections, async and sync): epoll and io_uring overlap in every cell and swap medians between
 * runs, epoll has the best median in 3 of 4 cells of the longer run and at one connection of raw
 * Netty in both; NIO is the only clear loser (sync, and raw Netty at one connection). So epoll, the
 * one of the two that containers do not commonly disable; io_uring stays opt-in until it
 * measures faster.
 *
 * <p>Thread-safety: immutable.
 */
public enum TransportKind {
    AUTO, IO_URING, EPOLL, NIO;

    /** Parses {@code auto | io_uring | epoll | nio}. */
    public static TransportKind parse(String text) {
        String normalized = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (TransportKind kind : values()) {
            if (kind.name().equals(normalized)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("transport '" + text + "' is not one of auto, io_uring, epoll, nio");
    }

    /** Why this transport cannot run here; empty when it can. */
    public Optional<Throwable> unavailabilityCause() {
        return switch (this) {
            case IO_URING -> IoUring.isAvailable() ? Optional.empty() : Optional.of(IoUring.unavailabilityCause());
            case EPOLL -> Epoll.isAvailable() ? Optional.empty() : Optional.of(Epoll.unavailabilityCause());
            case NIO, AUTO -> Optional.empty();
        };
    }

    /** The concrete transport AUTO stands for here; others return themselves if available, else throw. */
    public TransportKind resolve() {
        if (this == AUTO) {
            return EPOLL.unavailabilityCause().isEmpty() ? EPOLL : NIO;
        }
        unavailabilityCause().ifPresent(cause -> {
            throw new IllegalStateException("transport " + name().toLowerCase(Locale.ROOT)
                + " is not available here: " + cause.getMessage() + " (use --transport nio or auto)", cause);
        });
        return this;
    }

    IoHandlerFactory ioHandlerFactory() {
        return switch (resolve()) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
    }

    Class<? extends ServerChannel> serverChannelClass() {
        return switch (resolve()) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
    }

    /** Lower-case name as the CLI spells it. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
