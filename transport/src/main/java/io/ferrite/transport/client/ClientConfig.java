package io.ferrite.transport.client;

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
 * @param connectTimeout      TCP connect plus HELLO/WELCOME must finish within this
 * @param closeTimeout        how long {@link FerriteClient#close()} waits for outstanding ACKs
 */
public record ClientConfig(String host, int port, byte[] token, String clientName, int windowBytes,
                           int maxInFlightEvents, boolean reconnect, Duration reconnectBackoffMin,
                           Duration reconnectBackoffMax, Duration connectTimeout, Duration closeTimeout) {

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

    /**
     * No token, name "ferrite-java", a 4 MiB window of at most 65536 events, reconnect with a
     * 10 ms .. 1 s backoff, 5 s connect timeout, 10 s close timeout.
     */
    public static ClientConfig defaults(String host, int port) {
        return new ClientConfig(host, port, null, "ferrite-java", 4 << 20, 65_536, true, Duration.ofMillis(10),
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    public ClientConfig withToken(byte[] helloToken) {
        return new ClientConfig(host, port, helloToken, clientName, windowBytes, maxInFlightEvents, reconnect,
            reconnectBackoffMin, reconnectBackoffMax, connectTimeout, closeTimeout);
    }

    public ClientConfig withClientName(String name) {
        return new ClientConfig(host, port, token, name, windowBytes, maxInFlightEvents, reconnect,
            reconnectBackoffMin, reconnectBackoffMax, connectTimeout, closeTimeout);
    }

    public ClientConfig withWindow(int bytes, int maxInFlight) {
        return new ClientConfig(host, port, token, clientName, bytes, maxInFlight, reconnect,
            reconnectBackoffMin, reconnectBackoffMax, connectTimeout, closeTimeout);
    }

    public ClientConfig withReconnect(boolean enabled, Duration backoffMin, Duration backoffMax) {
        return new ClientConfig(host, port, token, clientName, windowBytes, maxInFlightEvents, enabled,
            backoffMin, backoffMax, connectTimeout, closeTimeout);
    }

    public ClientConfig withReconnect(boolean enabled) {
        return withReconnect(enabled, reconnectBackoffMin, reconnectBackoffMax);
    }

    public ClientConfig withConnectTimeout(Duration timeout) {
        return new ClientConfig(host, port, token, clientName, windowBytes, maxInFlightEvents, reconnect,
            reconnectBackoffMin, reconnectBackoffMax, timeout, closeTimeout);
    }

    public ClientConfig withCloseTimeout(Duration timeout) {
        return new ClientConfig(host, port, token, clientName, windowBytes, maxInFlightEvents, reconnect,
            reconnectBackoffMin, reconnectBackoffMax, connectTimeout, timeout);
    }

    /** The token as sent: never null. */
    byte[] tokenBytes() {
        return token == null ? new byte[0] : token;
    }
}
