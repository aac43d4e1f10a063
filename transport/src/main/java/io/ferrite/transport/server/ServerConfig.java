package io.ferrite.transport.server;

import io.ferrite.affinity.CpuLayout;

import java.time.Duration;
import java.util.Objects;

/**
 * How the FWP/1 server listens and treats its connections.
 *
 * @param bind                 address to bind (127.0.0.1 by default)
 * @param port                 TCP port (0 = pick a free one)
 * @param transport            Netty transport
 * @param ioThreads            event loop threads
 * @param maxFrameLength       largest frame length value accepted (PROTOCOL.md maxFrameLength)
 * @param token                required HELLO token, or null when no authentication is configured
 * @param backpressure         what to do when the engine is full
 * @param writeLowWaterMark    outbound bytes under which a connection is writable again
 * @param writeHighWaterMark   outbound bytes over which the server stops reading the connection
 * @param slowConsumerTimeout  how long a connection may stay over the high water mark before ERROR and close,
 *                             and how long a close waits for its ERROR to be written
 * @param cpuLayout            which cores the {@code io} role gets
 */
public record ServerConfig(String bind, int port, TransportKind transport, int ioThreads, int maxFrameLength,
                           byte[] token, BackpressurePolicy backpressure, int writeLowWaterMark,
                           int writeHighWaterMark, Duration slowConsumerTimeout, CpuLayout cpuLayout) {

    public ServerConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(backpressure, "backpressure");
        Objects.requireNonNull(slowConsumerTimeout, "slowConsumerTimeout");
        Objects.requireNonNull(cpuLayout, "cpuLayout");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (maxFrameLength < 64) {
            throw new IllegalArgumentException("max frame length must be at least 64 bytes, was " + maxFrameLength);
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("io threads must be at least 1, was " + ioThreads);
        }
    }

    /** Loopback, the given port, auto transport, one event loop, 1 MiB frames, no token, block. */
    public static ServerConfig defaults(int port) {
        return new ServerConfig("127.0.0.1", port, TransportKind.AUTO, 1, 1 << 20, null, BackpressurePolicy.BLOCK,
            32 * 1024, 64 * 1024, Duration.ofSeconds(10), CpuLayout.parse("none"));
    }

    public ServerConfig withTransport(TransportKind kind) {
        return new ServerConfig(bind, port, kind, ioThreads, maxFrameLength, token, backpressure, writeLowWaterMark,
            writeHighWaterMark, slowConsumerTimeout, cpuLayout);
    }

    public ServerConfig withToken(byte[] requiredToken) {
        return new ServerConfig(bind, port, transport, ioThreads, maxFrameLength, requiredToken, backpressure,
            writeLowWaterMark, writeHighWaterMark, slowConsumerTimeout, cpuLayout);
    }

    public ServerConfig withBackpressure(BackpressurePolicy policy) {
        return new ServerConfig(bind, port, transport, ioThreads, maxFrameLength, token, policy, writeLowWaterMark,
            writeHighWaterMark, slowConsumerTimeout, cpuLayout);
    }

    public ServerConfig withMaxFrameLength(int bytes) {
        return new ServerConfig(bind, port, transport, ioThreads, bytes, token, backpressure, writeLowWaterMark,
            writeHighWaterMark, slowConsumerTimeout, cpuLayout);
    }

    public ServerConfig withSlowConsumer(int lowWaterMark, int highWaterMark, Duration timeout) {
        return new ServerConfig(bind, port, transport, ioThreads, maxFrameLength, token, backpressure, lowWaterMark,
            highWaterMark, timeout, cpuLayout);
    }
}
