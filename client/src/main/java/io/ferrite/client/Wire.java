package io.ferrite.client;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The byte stream under one FWP/1 connection: a plain blocking socket ({@link PlainWire}) or TLS
 * over one ({@link TlsWire}). Frames are the same either way.
 *
 * <p>Thread-safety: one reader thread and one writer at a time (the client's write lock) may use
 * a wire concurrently; {@link #close()} from any thread wakes both.
 */
interface Wire extends AutoCloseable {
    /**
     * Reads what has arrived into {@code dst}, blocking until at least one byte has.
     *
     * @return bytes read, or -1 at the end of the stream
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes from {@code src}, blocking until the socket took at least some of it.
     *
     * @return bytes of {@code src} consumed
     */
    int write(ByteBuffer src) throws IOException;

    /** Closes the socket; a read or write blocked in another thread fails. Never throws. */
    @Override
    void close();
}
