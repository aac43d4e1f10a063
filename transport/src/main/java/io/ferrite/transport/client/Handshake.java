package io.ferrite.transport.client;

import io.ferrite.transport.protocol.ErrorCode;
import io.ferrite.transport.protocol.Frames;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
        int body = Frames.HELLO_MIN_BODY + token.length + name.length;
        ByteBuffer hello = ByteBuffer.allocate(Frames.BODY_OFFSET + body).order(ByteOrder.LITTLE_ENDIAN);
        hello.putInt(Frames.MIN_LENGTH + body).putShort((short) Frames.HELLO).putShort((short) 0);
        hello.putShort((short) Frames.VERSION).putShort((short) 0);
        hello.putInt(token.length).put(token);
        hello.putInt(name.length).put(name);
        hello.flip();
        while (hello.hasRemaining()) {
            channel.write(hello);
        }
    }

    private static Welcome readWelcome(SocketChannel channel, InputStream in, String where) throws IOException {
        ByteBuffer header = ByteBuffer.wrap(readFully(in, Frames.BODY_OFFSET)).order(ByteOrder.LITTLE_ENDIAN);
        long length = Integer.toUnsignedLong(header.getInt(Frames.LENGTH_OFFSET));
        int kind = Short.toUnsignedInt(header.getShort(Frames.KIND_OFFSET));
        if (length < Frames.MIN_LENGTH || length > Frames.DEFAULT_MAX_FRAME_LENGTH) {
            throw new FerriteClientException(null, 0, where + " answered HELLO with a frame of length " + length);
        }
        ByteBuffer body = ByteBuffer.wrap(readFully(in, (int) length - Frames.MIN_LENGTH)).order(ByteOrder.LITTLE_ENDIAN);
        if (kind == Frames.ERROR && body.capacity() >= Frames.ERROR_MIN_BODY) {
            int code = Short.toUnsignedInt(body.getShort(0));
            String message = text(body, 4);
            throw new FerriteClientException(ErrorCode.of(code), 0, message);
        }
        if (kind != Frames.WELCOME || body.capacity() != Frames.WELCOME_BODY) {
            throw new FerriteClientException(null, 0, where + " answered HELLO with " + Frames.kindName(kind)
                + " (" + body.capacity() + " body bytes) instead of WELCOME");
        }
        int version = Short.toUnsignedInt(body.getShort(0));
        if (version != Frames.VERSION) {
            throw new FerriteClientException(ErrorCode.UNSUPPORTED_VERSION, 0, where + " speaks FWP version " + version);
        }
        int maxFrameLength = (int) Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(body.getInt(4)));
        return new Welcome(channel, maxFrameLength, body.getLong(8));
    }

    /** u32 length then UTF-8 text at {@code at}; tolerates a short frame. */
    private static String text(ByteBuffer body, int at) {
        long length = Integer.toUnsignedLong(body.getInt(at));
        int available = Math.max(0, body.limit() - at - 4);
        byte[] bytes = new byte[(int) Math.min(length, available)];
        body.get(at + 4, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
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
