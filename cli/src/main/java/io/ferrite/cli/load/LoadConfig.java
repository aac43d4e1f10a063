package io.ferrite.cli.load;

import io.ferrite.client.ClientConfig;

import java.time.Duration;
import java.util.Objects;

/**
 * One run of the {@link LoadGenerator} ({@code ferrite send}).
 *
 * <p>Thread-safety: immutable.
 *
 * @param client           how each connection connects (host, port, token, window); the
 *                         connection index is appended to its client name
 * @param events           events to send in all (split evenly over the connections)
 * @param rate             target events per second over all connections, open loop; 0 = as fast as possible
 * @param payloadSize      payload bytes per event
 * @param connections      connections, each with its own client and sender thread
 * @param eventType        the EVENT type field
 * @param keys             events cycle through ordering keys 0..keys-1
 * @param ackTimeout       how long, after its last event, a connection waits for the final ACKs;
 *                         also how long a full window waits for an ACK before its sender gives up
 * @param progressInterval how often the progress callback is called
 * @param window           most events a connection keeps un-ACKed: at maximum throughput the
 *                         queue an event waits in, so it bounds what queueing adds to latency
 * @param warmup           how long from the start events are sent and checked but left out of the
 *                         latency figures and the rate (the JIT compiles the client meanwhile)
 */
public record LoadConfig(ClientConfig client, long events, double rate, int payloadSize, int connections,
                         int eventType, int keys, Duration ackTimeout, Duration progressInterval, int window, Duration warmup) {

    public LoadConfig {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(ackTimeout, "ackTimeout");
        Objects.requireNonNull(progressInterval, "progressInterval");
        if (events < 0) {
            throw new IllegalArgumentException("events must be >= 0, was " + events);
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be >= 0 events/s (0 = as fast as possible), was " + rate);
        }
        if (payloadSize < 0) {
            throw new IllegalArgumentException("payload size must be >= 0, was " + payloadSize);
        }
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be >= 1, was " + connections);
        }
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be >= 1, was " + keys);
        }
        if (ackTimeout.isNegative()) {
            throw new IllegalArgumentException("ack timeout must not be negative, was " + ackTimeout);
        }
        if (progressInterval.isNegative() || progressInterval.isZero()) {
            throw new IllegalArgumentException("progress interval must be positive, was " + progressInterval);
        }
        Objects.requireNonNull(warmup, "warmup");
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("warm-up must be >= 0, was " + warmup);
        }
        if (window < 1 || window > client.maxInFlightEvents()) {
            throw new IllegalArgumentException("window must be 1.." + client.maxInFlightEvents()
                + " events (the client's in-flight limit), was " + window);
        }
    }

    /** The default window: deep enough for full throughput, shallow enough that it adds milliseconds, not tens. */
    public static final int DEFAULT_WINDOW = 4_096;

    /** Type 1, 1024 keys, 30 s for the final ACKs, progress every second, a window of {@value #DEFAULT_WINDOW}. */
    public static LoadConfig of(ClientConfig client, long events, double rate, int payloadSize, int connections) {
        return new LoadConfig(client, events, rate, payloadSize, connections, 1, 1024, Duration.ofSeconds(30),
            Duration.ofSeconds(1), Math.min(DEFAULT_WINDOW, client.maxInFlightEvents()), Duration.ZERO);
    }

    public LoadConfig withWindow(int events) {
        return new LoadConfig(client, this.events, rate, payloadSize, connections, eventType, keys, ackTimeout,
            progressInterval, events, warmup);
    }

    public LoadConfig withWarmup(Duration warmupTime) {
        return new LoadConfig(client, events, rate, payloadSize, connections, eventType, keys, ackTimeout,
            progressInterval, window, warmupTime);
    }

    public LoadConfig withAckTimeout(Duration timeout) {
        return new LoadConfig(client, events, rate, payloadSize, connections, eventType, keys, timeout,
            progressInterval, window, warmup);
    }

    public LoadConfig withProgressInterval(Duration interval) {
        return new LoadConfig(client, events, rate, payloadSize, connections, eventType, keys, ackTimeout,
            interval, window, warmup);
    }

    public LoadConfig withKeys(int keyCount) {
        return new LoadConfig(client, events, rate, payloadSize, connections, eventType, keyCount, ackTimeout,
            progressInterval, window, warmup);
    }
}
