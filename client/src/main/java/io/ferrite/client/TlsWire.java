package io.ferrite.client;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * FWP/1 inside TLS: a JDK {@link SSLEngine} over a blocking {@link SocketChannel}. The server's
 * certificate must chain to the trusted certificates and name the host connected to (the HTTPS
 * endpoint rules: a DNS or IP subject alternative name).
 *
 * <p>Outbound, a write wraps as many TLS records as fit a few packet buffers and writes them in one
 * go. Inbound, records are unwrapped into a plaintext buffer and copied out (the client reads only
 * ACKs and the odd REJECT, ERROR or PING, so the copy is small).
 *
 * <p>Thread-safety: one reader thread and one writer at a time, as {@link Wire} says. Wrap and
 * unwrap may run concurrently (the {@code SSLEngine} contract); handshake messages the reader must
 * answer after the handshake (a TLS 1.3 key update) are wrapped under this wire's own write lock.
 */
final class TlsWire implements Wire {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Records wrapped per socket write, at most. */
    private static final int RECORDS_PER_WRITE = 4;

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final int packetBytes;
    /** Ciphertext from the socket not yet unwrapped; write mode. Reader only. */
    private ByteBuffer netIn;
    /** Plaintext unwrapped but not yet read; write mode. Reader only. */
    private ByteBuffer appIn;
    /** Ciphertext being written. Under {@link #writeLock}. */
    private ByteBuffer netOut;
    private boolean needInput;

    private TlsWire(SocketChannel channel, SSLEngine engine) {
        this.channel = channel;
        this.engine = engine;
        this.packetBytes = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocateDirect(packetBytes);
        this.appIn = ByteBuffer.allocateDirect(engine.getSession().getApplicationBufferSize());
        this.netOut = ByteBuffer.allocateDirect(packetBytes * RECORDS_PER_WRITE);
    }

    /**
     * Runs the TLS handshake as a client on a connected channel (blocking; the caller bounds it by
     * closing the channel at its deadline).
     *
     * @throws SSLException when the handshake fails (untrusted certificate, wrong host, no shared protocol)
     */
    static TlsWire handshake(SocketChannel channel, SSLContext context, String host, int port) throws IOException {
        SSLEngine engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        TlsWire wire = new TlsWire(channel, engine);
        wire.runHandshake();
        return wire;
    }

    private void runHandshake() throws IOException {
        engine.beginHandshake();
        HandshakeStatus status = engine.getHandshakeStatus();
        while (status != HandshakeStatus.FINISHED && status != HandshakeStatus.NOT_HANDSHAKING) {
            status = switch (status) {
                case NEED_WRAP -> wrapAndWrite(EMPTY).getHandshakeStatus();
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrapDuringHandshake();
                case NEED_TASK -> runDelegatedTasks();
                default -> throw new SSLException("unexpected TLS handshake state " + status);
            };
        }
    }

    private HandshakeStatus unwrapDuringHandshake() throws IOException {
        while (true) {
            netIn.flip();
            SSLEngineResult result = engine.unwrap(netIn, appIn);
            netIn.compact();
            switch (result.getStatus()) {
                case OK -> {
                    return result.getHandshakeStatus();
                }
                case BUFFER_UNDERFLOW -> {
                    if (readCiphertext() < 0) {
                        throw new EOFException("the server closed the connection during the TLS handshake"
                            + " (is it serving TLS on this port?)");
                    }
                }
                case BUFFER_OVERFLOW -> appIn = larger(appIn, engine.getSession().getApplicationBufferSize());
                case CLOSED -> throw new SSLException("the server ended TLS during the handshake");
            }
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        while (appIn.position() == 0) {
            if (needInput || netIn.position() == 0) {
                if (readCiphertext() < 0) {
                    return -1;
                }
                needInput = false;
            }
            netIn.flip();
            SSLEngineResult result = engine.unwrap(netIn, appIn);
            netIn.compact();
            switch (result.getStatus()) {
                case OK -> answerHandshake(result.getHandshakeStatus());
                case BUFFER_UNDERFLOW -> needInput = true;
                case BUFFER_OVERFLOW -> appIn = larger(appIn, engine.getSession().getApplicationBufferSize());
                case CLOSED -> {
                    return -1; // the server's close_notify
                }
            }
        }
        appIn.flip();
        int moved = Math.min(appIn.remaining(), dst.remaining());
        int limit = appIn.limit();
        appIn.limit(appIn.position() + moved);
        dst.put(appIn);
        appIn.limit(limit);
        appIn.compact();
        return moved;
    }

    /** Reads ciphertext, growing the buffer when a record does not fit it. */
    private int readCiphertext() throws IOException {
        if (!netIn.hasRemaining()) {
            netIn = larger(netIn, engine.getSession().getPacketBufferSize());
        }
        return channel.read(netIn);
    }

    /** After an unwrap: runs what a post-handshake message (a key update, a session ticket) asks for. */
    private void answerHandshake(HandshakeStatus status) throws IOException {
        while (true) {
            switch (status) {
                case NEED_TASK -> status = runDelegatedTasks();
                case NEED_WRAP -> status = wrapAndWrite(EMPTY).getHandshakeStatus();
                default -> {
                    return;
                }
            }
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int before = src.remaining();
        SSLEngineResult result = wrapAndWrite(src);
        if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
            runDelegatedTasks();
        }
        return before - src.remaining();
    }

    /** Wraps up to {@link #RECORDS_PER_WRITE} records of {@code src} and writes them all (blocking). */
    private SSLEngineResult wrapAndWrite(ByteBuffer src) throws IOException {
        writeLock.lock();
        try {
            netOut.clear();
            SSLEngineResult result;
            while (true) {
                result = engine.wrap(src, netOut);
                switch (result.getStatus()) {
                    case CLOSED -> throw new SSLException("the TLS session is closed");
                    case BUFFER_OVERFLOW -> {
                        if (netOut.position() == 0) {
                            netOut = ByteBuffer.allocateDirect(netOut.capacity() * 2);
                            continue;
                        }
                    }
                    default -> {
                        if (src.hasRemaining() && netOut.remaining() >= packetBytes
                            && result.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING) {
                            continue;
                        }
                    }
                }
                break;
            }
            netOut.flip();
            while (netOut.hasRemaining()) {
                channel.write(netOut);
            }
            return result;
        } finally {
            writeLock.unlock();
        }
    }

    private HandshakeStatus runDelegatedTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
        return engine.getHandshakeStatus();
    }

    /** A buffer of twice the capacity, or {@code atLeast}, holding what {@code full} held (both in write mode). */
    private static ByteBuffer larger(ByteBuffer full, int atLeast) {
        ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(atLeast, full.capacity() * 2));
        full.flip();
        bigger.put(full);
        return bigger;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is best effort: the connection is being abandoned
        }
    }
}
