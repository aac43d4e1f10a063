package io.ferrite.transport.server;

import io.ferrite.affinity.CpuLayout;
import io.ferrite.protocol.FrameHeader;

import java.time.Duration;
import java.util.Objects;

/**
 * How the FWP/1 server listens and treats its connections.
 *
 * @param bind                 address to bind (127.0.0.1 by default)
 * @param port                 TCP port (0 = pick a free one)
 * @param transport            Netty transport
 * @param ioThreads            event loop threads
 * @param maxFrameLength       largest frame length value accepted (FWP/1 maxFrameLength)
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

    /** A builder with the defaults: see {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults on {@code port}: {@code builder().port(port).build()}. */
    public static ServerConfig defaults(int port) {
        return builder().port(port).build();
    }

    /** A builder holding this configuration, to derive another from it. */
    public Builder toBuilder() {
        return builder().bind(bind).port(port).transport(transport).ioThreads(ioThreads).maxFrameLength(maxFrameLength)
            .token(token).backpressure(backpressure).slowConsumer(writeLowWaterMark, writeHighWaterMark, slowConsumerTimeout)
            .cpuLayout(cpuLayout);
    }

    /**
     * Builds a {@link ServerConfig}. Defaults: loopback, port 7070, {@code auto} transport, one event
     * loop, 1 MiB frames, no token, block on back pressure, 32/64 KiB write water marks, a 10 s
     * slow-consumer timeout, nothing pinned. {@link #build()} checks every value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private String bind = "127.0.0.1";
        private int port = 7070;
        private TransportKind transport = TransportKind.AUTO;
        private int ioThreads = 1;
        private int maxFrameLength = FrameHeader.DEFAULT_MAX_FRAME_LENGTH;
        private byte[] token;
        private BackpressurePolicy backpressure = BackpressurePolicy.BLOCK;
        private int writeLowWaterMark = 32 * 1024;
        private int writeHighWaterMark = 64 * 1024;
        private Duration slowConsumerTimeout = Duration.ofSeconds(10);
        private CpuLayout cpuLayout = CpuLayout.none();

        private Builder() {
        }

        public Builder bind(String address) {
            this.bind = address;
            return this;
        }

        /** 0 = any free port. */
        public Builder port(int tcpPort) {
            this.port = tcpPort;
            return this;
        }

        public Builder transport(TransportKind kind) {
            this.transport = kind;
            return this;
        }

        public Builder ioThreads(int threads) {
            this.ioThreads = threads;
            return this;
        }

        /** The largest frame length value accepted and advertised in WELCOME. */
        public Builder maxFrameLength(int bytes) {
            this.maxFrameLength = bytes;
            return this;
        }

        /** The token HELLO must carry, or null for none. */
        public Builder token(byte[] requiredToken) {
            this.token = requiredToken;
            return this;
        }

        public Builder backpressure(BackpressurePolicy policy) {
            this.backpressure = policy;
            return this;
        }

        /** Outbound water marks (bytes) and how long a connection may stay above the high one. */
        public Builder slowConsumer(int lowWaterMark, int highWaterMark, Duration timeout) {
            this.writeLowWaterMark = lowWaterMark;
            this.writeHighWaterMark = highWaterMark;
            this.slowConsumerTimeout = timeout;
            return this;
        }

        /** Which cores the {@code io} role gets. */
        public Builder cpuLayout(CpuLayout layout) {
            this.cpuLayout = layout;
            return this;
        }

        /** @throws IllegalArgumentException naming the value that is wrong */
        public ServerConfig build() {
            return new ServerConfig(bind, port, transport, ioThreads, maxFrameLength, token, backpressure,
                writeLowWaterMark, writeHighWaterMark, slowConsumerTimeout, cpuLayout);
        }
    }
}
