package io.ferrite.client;

import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.ErrorFrame;
import io.ferrite.protocol.FrameHeader;
import io.ferrite.protocol.FrameKind;
import io.ferrite.protocol.HelloFrame;
import io.ferrite.protocol.Violation;
import io.ferrite.protocol.WelcomeFrame;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * Opens one FWP/1 connection: TCP connect, the TLS handshake when configured, HELLO, then WELCOME
 * — or the server's ERROR, thrown with its code and message. The connect timeout bounds all of it:
 * at the deadline the socket is closed, which ends whatever step is blocked. Control path:
 * allocates freely.
 *
 * <p>Thread-safety: stateless.
 */
final class Handshake {
    /** A connection that got its WELCOME. */
    record Welcome(Wire wire, int maxFrameLength, long instanceId) {
    }

    private Handshake() {
    }

    /**
     * @throws FerriteClientException with the server's code when it answered ERROR, with a null
     *                                code for a connect or TLS failure, a timeout or a bad answer
     */
    static Welcome open(ClientConfig config) throws FerriteClientException {
        String where = config.host() + ":" + config.port();
        long timeoutMillis = Math.max(1, config.connectTimeout().toMillis());
        SocketChannel channel = null;
        Deadline deadline = null;
        try {
            channel = SocketChannel.open();
            channel.socket().setTcpNoDelay(true);
            deadline = Deadline.start(channel, timeoutMillis);
            channel.socket().connect(new InetSocketAddress(config.host(), config.port()), (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
            Wire wire = config.tls() == null ? new PlainWire(channel)
                : TlsWire.handshake(channel, config.tls().context(), config.host(), config.port());
            writeHello(wire, config.tokenBytes(), config.clientName().getBytes(StandardCharsets.UTF_8));
            Welcome welcome = readWelcome(wire, where, config.tls() != null);
            if (!deadline.disarm()) {
                throw new SocketTimeoutException();
            }
            channel = null;
            return welcome;
        } catch (FerriteClientException e) {
            throw e;
        } catch (IOException e) {
            if (e instanceof SocketTimeoutException || deadline != null && deadline.expired()) {
                throw new FerriteClientException("no WELCOME from " + where + " within " + timeoutMillis + " ms"
                    + (config.tls() == null ? "" : " (TLS handshake included)"), e);
            }
            if (e instanceof SSLException) {
                throw new FerriteClientException("TLS with " + where + " failed: " + e.getMessage(), e);
            }
            throw new FerriteClientException("cannot connect to " + where + ": " + e.getMessage(), e);
        } finally {
            if (deadline != null) {
                deadline.disarm();
            }
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing a socket that failed to connect; the cause is already being thrown
                }
            }
        }
    }

    private static void writeHello(Wire wire, byte[] token, byte[] name) throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(HelloFrame.frameBytes(token.length, name.length));
        HelloFrame.write(MemorySegment.ofBuffer(hello), 0, token, name);
        while (hello.hasRemaining()) {
            wire.write(hello);
        }
    }

    private static Welcome readWelcome(Wire wire, String where, boolean tls) throws IOException {
        MemorySegment header;
        try {
            header = MemorySegment.ofArray(readFully(wire, FrameHeader.HEADER_LENGTH));
        } catch (EOFException e) {
            throw tls ? e : new EOFException(e.getMessage() + " (a server that requires TLS does this to plain TCP:"
                + " connect with TLS if it does)");
        }
        FrameHeader frame = new FrameHeader().wrap(header, 0);
        Violation badLength = frame.checkLength(FrameHeader.DEFAULT_MAX_FRAME_LENGTH);
        if (badLength != null) {
            throw new FerriteClientException(null, 0, where + " answered HELLO with a bad frame: " + badLength.message());
        }
        int kind = frame.kind();
        int bodyLength = frame.bodyLength();
        MemorySegment body = MemorySegment.ofArray(readFully(wire, bodyLength));
        if (kind == FrameKind.ERROR && ErrorFrame.check(body, 0, bodyLength) == null) {
            ErrorFrame error = new ErrorFrame().wrap(body, 0);
            throw new FerriteClientException(ErrorCode.of(error.code()), 0, error.message());
        }
        if (kind != FrameKind.WELCOME) {
            throw new FerriteClientException(null, 0, where + " answered HELLO with " + FrameKind.name(kind)
                + " (" + bodyLength + " body bytes) instead of WELCOME");
        }
        Violation bad = WelcomeFrame.check(body, 0, bodyLength);
        if (bad != null) {
            throw new FerriteClientException(bad.code() == ErrorCode.UNSUPPORTED_VERSION ? bad.code() : null, 0,
                where + ": " + bad.message());
        }
        WelcomeFrame welcome = new WelcomeFrame().wrap(body, 0);
        int maxFrameLength = (int) Math.min(Integer.MAX_VALUE, welcome.maxFrameLength());
        return new Welcome(wire, maxFrameLength, welcome.instanceId());
    }

    /** Exactly {@code length} bytes: the wire returns what has arrived, byte by byte if need be. */
    private static byte[] readFully(Wire wire, int length) throws IOException {
        byte[] bytes = new byte[length];
        ByteBuffer into = ByteBuffer.wrap(bytes);
        while (into.hasRemaining()) {
            if (wire.read(into) < 0) {
                throw new EOFException("the server closed the connection during the handshake");
            }
        }
        return bytes;
    }

    /**
     * Closes the socket when the handshake outlives its timeout (a blocking channel has no read
     * timeout of its own); one virtual thread per connection attempt.
     */
    private static final class Deadline {
        private final Thread timer;
        private final AtomicBoolean fired = new AtomicBoolean();
        private final AtomicBoolean done = new AtomicBoolean();

        private Deadline(SocketChannel channel, long millis) {
            this.timer = Thread.ofVirtual().name("ferrite-client-connect-deadline").start(() -> {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException disarmed) {
                    return;
                }
                if (done.compareAndSet(false, true)) {
                    fired.set(true);
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // the blocked step fails with the close, and reports the timeout
                    }
                }
            });
        }

        static Deadline start(SocketChannel channel, long millis) {
            return new Deadline(channel, millis);
        }

        /** Stops the timer; false when it had already fired (the socket is closed). */
        boolean disarm() {
            boolean inTime = done.compareAndSet(false, true);
            if (inTime) {
                timer.interrupt();
            }
            return inTime && !fired.get();
        }

        boolean expired() {
            return fired.get();
        }
    }
}
