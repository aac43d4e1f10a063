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
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.lang.foreign.MemorySegment;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Opens one FWP/1 connection: TCP connect, HELLO, then WELCOME — or the server's ERROR, thrown
 * with its code and message. Control path: allocates freely.
 *
 * <p>Thread-safety: stateless.
 */
final class Handshake {
    /** A connection that got its WELCOME. */
    record Welcome(SocketChannel channel, int maxFrameLength, long instanceId) {
    }

    private Handshake() {
    }

    /**
     * @throws FerriteClientException with the server's code when it answered ERROR, with a null
     *                                code for a connect failure, a timeout or a bad answer
     */
    static Welcome open(ClientConfig config) throws FerriteClientException {
        String where = config.host() + ":" + config.port();
        int timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.socket().setTcpNoDelay(true);
            channel.socket().connect(new InetSocketAddress(config.host(), config.port()), timeoutMillis);
            writeHello(channel, config.tokenBytes(), config.clientName().getBytes(StandardCharsets.UTF_8));
            // Timed reads go through the socket adaptor's stream (it honours SO_TIMEOUT and does not buffer).
            channel.socket().setSoTimeout(timeoutMillis);
            Welcome welcome = readWelcome(channel, channel.socket().getInputStream(), where);
            channel = null;
            return welcome;
        } catch (SocketTimeoutException e) {
            throw new FerriteClientException("no WELCOME from " + where + " within " + timeoutMillis + " ms", e);
        } catch (FerriteClientException e) {
            throw e;
        } catch (IOException e) {
            throw new FerriteClientException("cannot connect to " + where + ": " + e.getMessage(), e);
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing a socket that failed to connect; the cause is already being thrown
                }
            }
        }
    }

    private static void writeHello(SocketChannel channel, byte[] token, byte[] name) throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(HelloFrame.frameBytes(token.length, name.length));
        HelloFrame.write(MemorySegment.ofBuffer(hello), 0, token, name);
        while (hello.hasRemaining()) {
            channel.write(hello);
        }
    }

    private static Welcome readWelcome(SocketChannel channel, InputStream in, String where) throws IOException {
        MemorySegment header = MemorySegment.ofArray(readFully(in, FrameHeader.HEADER_LENGTH));
        FrameHeader frame = new FrameHeader().wrap(header, 0);
        Violation badLength = frame.checkLength(FrameHeader.DEFAULT_MAX_FRAME_LENGTH);
        if (badLength != null) {
            throw new FerriteClientException(null, 0, where + " answered HELLO with a bad frame: " + badLength.message());
        }
        int kind = frame.kind();
        int bodyLength = frame.bodyLength();
        MemorySegment body = MemorySegment.ofArray(readFully(in, bodyLength));
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
        return new Welcome(channel, maxFrameLength, welcome.instanceId());
    }

    private static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        int read = 0;
        while (read < length) {
            int n = in.read(bytes, read, length - read);
            if (n < 0) {
                throw new EOFException("the server closed the connection during the handshake");
            }
            read += n;
        }
        return bytes;
    }
}
