package io.ferrite.bench.tcp;

/**
 * A server on 127.0.0.1 that speaks enough FWP/1 for the load generator: HELLO/WELCOME, EVENT,
 * cumulative ACK. Ferrite itself ({@link FerriteTarget}) or the raw Netty peer ({@link RawNettyServer}).
 *
 * <p>Thread-safety: {@link #port()} from any thread; {@link #close()} once.
 */
interface IngestTarget extends AutoCloseable {
    int port();

    @Override
    void close();
}
