package io.ferrite.bench.tcp;

import io.ferrite.client.ClientTls;

/**
 * A server on 127.0.0.1 that speaks enough FWP/1 for the load generator: HELLO/WELCOME, EVENT,
 * cumulative ACK. Ferrite itself ({@link FerriteTarget}) or the raw Netty peer ({@link RawNettyServer}).
 *
 * <p>Thread-safety: {@link #port()} from any thread; {@link #close()} once.
 */
interface IngestTarget extends AutoCloseable {
    int port();

    /** TLS the load generator must speak to this target, or null for plain TCP. */
    default ClientTls clientTls() {
        return null;
    }

    /** After a trial: a line on how far the server's stages are behind, or null. */
    default String stageLag() {
        return null;
    }

    @Override
    void close();
}
