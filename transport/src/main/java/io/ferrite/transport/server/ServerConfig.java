package io.ferrite.transport.server;

import io.ferrite.affinity.CpuLayout;
import io.ferrite.engine.AdmissionPolicy;
import io.ferrite.engine.auth.Identities;
import io.ferrite.protocol.FrameHeader;
import io.ferrite.transport.tls.TlsSettings;

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
 * @param handshakeTimeout     how long a connection may take to complete its HELLO (FWP/1 rule 10)
 * @param idleTimeout          how long an authenticated connection may send nothing (PING counts);
 *                             zero: no limit
 * @param maxConnections       most connections held at once; the next one's HELLO gets ERROR CONNECTION_LIMIT
 * @param authFailuresPerMinute failed HELLOs (wrong or missing token) one remote address may make in a
 *                             minute before its HELLOs are refused without being checked; 0: no limit
 * @param tls                  TLS on this port (and the admin port), or null for plain TCP
 * @param recordLatency        time each read to its ACK (one clock read per read, a histogram record per ACK);
 *                             off only to measure what it costs
 * @param identities           tokens mapped to principals (a HELLO must carry one of them), or null; not with {@code token}
 * @param admission            asked for every event before it is journaled, or null to admit all
 */
public record ServerConfig(String bind, int port, TransportKind transport, int ioThreads, int maxFrameLength,
                           byte[] token, BackpressurePolicy backpressure, int writeLowWaterMark,
                           int writeHighWaterMark, Duration slowConsumerTimeout, CpuLayout cpuLayout,
                           Duration handshakeTimeout, Duration idleTimeout, int maxConnections,
                           int authFailuresPerMinute, TlsSettings tls, boolean recordLatency, Identities identities,
                           AdmissionPolicy admission) {

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
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshake timeout must be positive, was " + handshakeTimeout);
        }
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idle timeout must be >= 0 (0 = none), was " + idleTimeout);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be at least 1, was " + maxConnections);
        }
        if (token != null && identities != null) {
            throw new IllegalArgumentException("give one token or a tokens file (identities), not both");
        }
        if (authFailuresPerMinute < 0) {
            throw new IllegalArgumentException("auth failures per minute must be >= 0 (0 = no limit), was "
                + authFailuresPerMinute);
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
            .cpuLayout(cpuLayout).handshakeTimeout(handshakeTimeout).idleTimeout(idleTimeout)
            .maxConnections(maxConnections).authFailuresPerMinute(authFailuresPerMinute).tls(tls)
            .recordLatency(recordLatency).identities(identities).admission(admission);
    }

    /**
     * Builds a {@link ServerConfig}. Defaults: loopback, port 7070, {@code auto} transport, one event
     * loop, 1 MiB frames, no token, block on back pressure, 32/64 KiB write water marks, a 10 s
     * slow-consumer timeout, nothing pinned, a 10 s handshake timeout, no idle timeout, at most
     * 10 000 connections, 10 failed HELLOs a minute per address, plain TCP. {@link #build()} checks every value.
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
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ZERO;
        private int maxConnections = 10_000;
        private int authFailuresPerMinute = 10;
        private TlsSettings tls;
        private boolean recordLatency = true;
        private Identities identities;
        private AdmissionPolicy admission;

        /** Tokens mapped to principals: a HELLO must carry one, and policies see who sent each event. */
        public Builder identities(Identities tokens) {
            this.identities = tokens;
            return this;
        }

        /** Asked for every event before it is journaled (a pipeline's policies); null admits all. */
        public Builder admission(AdmissionPolicy policy) {
            this.admission = policy;
            return this;
        }

        private Builder() {
        }

        /** Time each read to its ACK (default on; off only to measure what it costs). */
        public Builder recordLatency(boolean enabled) {
            this.recordLatency = enabled;
            return this;
        }

        /** TLS on the FWP/1 port and the admin port; null: plain TCP. */
        public Builder tls(TlsSettings settings) {
            this.tls = settings;
            return this;
        }

        /** How long a connection may take to complete its HELLO before ERROR PROTOCOL_VIOLATION and the close. */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        /** How long an authenticated connection may send nothing before ERROR PROTOCOL_VIOLATION; zero: no limit. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /** Most connections at once; the next one's HELLO is answered ERROR CONNECTION_LIMIT. */
        public Builder maxConnections(int connections) {
            this.maxConnections = connections;
            return this;
        }

        /** Failed HELLOs per remote address and minute before its HELLOs are refused unchecked; 0: no limit. */
        public Builder authFailuresPerMinute(int failures) {
            this.authFailuresPerMinute = failures;
            return this;
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
                writeLowWaterMark, writeHighWaterMark, slowConsumerTimeout, cpuLayout, handshakeTimeout, idleTimeout,
                maxConnections, authFailuresPerMinute, tls, recordLatency, identities, admission);
        }
    }
}
