package io.ferrite.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link FerriteClient} connects and how much it keeps in flight.
 *
 * <p>Thread-safety: immutable (the token array is not copied: do not change it after).
 *
 * @param host                where the server listens
 * @param port                its FWP/1 port
 * @param token               HELLO token bytes, or null for none (sent as an empty token)
 * @param clientName          HELLO client name (UTF-8)
 * @param windowBytes         size of the un-ACKed ring in bytes (a power of two, at least 4096):
 *                            every EVENT frame stays in it until ACKed, for resend on reconnect
 * @param maxInFlightEvents   most un-ACKed events (a power of two, at least 2)
 * @param reconnect           reconnect and resend un-ACKed events when the connection drops
 * @param reconnectBackoffMin first wait between reconnect attempts (doubled after each failure)
 * @param reconnectBackoffMax longest wait between reconnect attempts
 * @param connectTimeout      TCP connect, the TLS handshake and HELLO/WELCOME must finish within this
 * @param closeTimeout        how long {@link FerriteClient#close()} waits for outstanding ACKs
 * @param tls                 TLS to the server, or null for plain TCP (the server decides which it speaks)
 */
public record ClientConfig(String host, int port, byte[] token, String clientName, int windowBytes,
                           int maxInFlightEvents, boolean reconnect, Duration reconnectBackoffMin,
                           Duration reconnectBackoffMax, Duration connectTimeout, Duration closeTimeout,
                           ClientTls tls) {

    public ClientConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(clientName, "clientName");
        Objects.requireNonNull(reconnectBackoffMin, "reconnectBackoffMin");
        Objects.requireNonNull(reconnectBackoffMax, "reconnectBackoffMax");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
        if (Integer.bitCount(windowBytes) != 1 || windowBytes < 4096) {
            throw new IllegalArgumentException("windowBytes must be a power of two of at least 4096, was " + windowBytes);
        }
        if (Integer.bitCount(maxInFlightEvents) != 1 || maxInFlightEvents < 2) {
            throw new IllegalArgumentException("maxInFlightEvents must be a power of two of at least 2, was "
                + maxInFlightEvents);
        }
        if (reconnectBackoffMin.isNegative() || reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
            throw new IllegalArgumentException("reconnect backoff must satisfy 0 <= min <= max, was "
                + reconnectBackoffMin + ".." + reconnectBackoffMax);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, was " + connectTimeout);
        }
        if (closeTimeout.isNegative()) {
            throw new IllegalArgumentException("closeTimeout must not be negative, was " + closeTimeout);
        }
        if (clientName.getBytes(StandardCharsets.UTF_8).length > 1024) {
            throw new IllegalArgumentException("clientName must be at most 1024 UTF-8 bytes");
        }
    }

    /** A builder with the defaults: see {@link Builder}. */
    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /** The defaults for {@code host:port}: {@code builder(host, port).build()}. */
    public static ClientConfig defaults(String host, int port) {
        return builder(host, port).build();
    }

    /** A builder holding this configuration, to derive another from it. */
    public Builder toBuilder() {
        Builder builder = new Builder(host, port);
        builder.token = token;
        builder.clientName = clientName;
        builder.windowBytes = windowBytes;
        builder.maxInFlightEvents = maxInFlightEvents;
        builder.reconnect = reconnect;
        builder.reconnectBackoffMin = reconnectBackoffMin;
        builder.reconnectBackoffMax = reconnectBackoffMax;
        builder.connectTimeout = connectTimeout;
        builder.closeTimeout = closeTimeout;
        builder.tls = tls;
        return builder;
    }

    /**
     * Builds a {@link ClientConfig}. Defaults: no token, name "ferrite-java", a 4 MiB window of at
     * most 65536 events, reconnect with a 10 ms .. 1 s backoff, 5 s connect timeout, 10 s close
     * timeout, plain TCP. {@link #build()} checks every value.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final String host;
        private final int port;
        private byte[] token;
        private String clientName = "ferrite-java";
        private int windowBytes = 4 << 20;
        private int maxInFlightEvents = 65_536;
        private boolean reconnect = true;
        private Duration reconnectBackoffMin = Duration.ofMillis(10);
        private Duration reconnectBackoffMax = Duration.ofSeconds(1);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private ClientTls tls;

        private Builder(String host, int port) {
            this.host = host;
            this.port = port;
        }

        /** The HELLO token, or null for none. */
        public Builder token(byte[] helloToken) {
            this.token = helloToken;
            return this;
        }

        public Builder clientName(String name) {
            this.clientName = name;
            return this;
        }

        /** The un-ACKed window: ring bytes and most events in flight (both powers of two). */
        public Builder window(int bytes, int maxInFlight) {
            this.windowBytes = bytes;
            this.maxInFlightEvents = maxInFlight;
            return this;
        }

        public Builder reconnect(boolean enabled) {
            this.reconnect = enabled;
            return this;
        }

        public Builder reconnect(boolean enabled, Duration backoffMin, Duration backoffMax) {
            this.reconnect = enabled;
            this.reconnectBackoffMin = backoffMin;
            this.reconnectBackoffMax = backoffMax;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /** TLS to the server (null: plain TCP). The connect timeout covers the TLS handshake too. */
        public Builder tls(ClientTls settings) {
            this.tls = settings;
            return this;
        }

        /** @throws IllegalArgumentException naming the value that is wrong */
        public ClientConfig build() {
            return new ClientConfig(host, port, token, clientName, windowBytes, maxInFlightEvents, reconnect,
                reconnectBackoffMin, reconnectBackoffMax, connectTimeout, closeTimeout, tls);
        }
    }

    /** The token as sent: never null. */
    byte[] tokenBytes() {
        return token == null ? new byte[0] : token;
    }
}
