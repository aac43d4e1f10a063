package io.ferrite.transport.server;

import io.ferrite.transport.protocol.ErrorCode;
import io.ferrite.transport.protocol.Frames;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test helper: a raw FWP/1 client on a blocking {@link Socket} to 127.0.0.1. It sends whatever
 * bytes a test gives it and parses what the server answers (WELCOME, ACK, REJECT, ERROR, PONG).
 * Reads keep partial frames across timeouts, so a short poll never loses bytes.
 *
 * <p>Thread-safety: one thread sends and one thread reads (they may differ); not otherwise shared.
 */
final class RawClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** One frame from the server; {@link #EOF} when the server closed the connection. */
    record Frame(int kind, int flags, byte[] body) {
        static final Frame EOF = new Frame(-1, 0, new byte[0]);

        boolean isEof() {
            return kind == -1;
        }

        ByteBuffer le() {
            return ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** ACK and REJECT. */
        long correlationId() {
            return le().getLong(0);
        }

        /** ACK. */
        long journalIndex() {
            return le().getLong(8);
        }

        /** REJECT and ERROR. */
        int code() {
            return Short.toUnsignedInt(le().getShort(kind == Frames.REJECT ? 8 : 0));
        }

        /** REJECT and ERROR. */
        String message() {
            int at = kind == Frames.REJECT ? 16 : 8;
            return new String(body, at, body.length - at, StandardCharsets.UTF_8);
        }

        /** PONG. */
        long nonce() {
            return le().getLong(0);
        }

        /** WELCOME. */
        int version() {
            return Short.toUnsignedInt(le().getShort(0));
        }

        /** WELCOME. */
        long maxFrameLength() {
            return Integer.toUnsignedLong(le().getInt(4));
        }

        @Override
        public String toString() {
            if (isEof()) {
                return "EOF";
            }
            String name = Frames.kindName(kind);
            return switch (kind) {
                case Frames.ACK -> name + "(" + correlationId() + ", index " + journalIndex() + ")";
                case Frames.REJECT -> name + "(" + correlationId() + ", " + ErrorCode.of(code()) + ": " + message() + ")";
                case Frames.ERROR -> name + "(" + ErrorCode.of(code()) + ": " + message() + ")";
                case Frames.PONG -> name + "(" + nonce() + ")";
                default -> name + "[" + body.length + " bytes]";
            };
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;
    private boolean eof;
    private boolean reset;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawClient connect(int port) throws IOException {
        return connect(port, 0);
    }

    /** Connects; a positive {@code receiveBufferBytes} shrinks SO_RCVBUF before connecting (slow-consumer tests). */
    static RawClient connect(int port, int receiveBufferBytes) throws IOException {
        Socket socket = new Socket();
        try {
            if (receiveBufferBytes > 0) {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
            return new RawClient(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Connects and completes HELLO / WELCOME. */
    static RawClient connectAndHello(int port) throws IOException {
        RawClient client = connect(port);
        client.hello();
        return client;
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Half-closes: the server sees end of input. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Sends a legal HELLO and expects WELCOME. */
    Frame hello() throws IOException {
        send(RawFrames.hello());
        return expectWelcome();
    }

    Frame expectWelcome() throws IOException {
        Frame welcome = next(TIMEOUT);
        assertThat(welcome.kind()).as("answer to HELLO: %s", welcome).isEqualTo(Frames.WELCOME);
        assertThat(welcome.body()).hasSize(Frames.WELCOME_BODY);
        assertThat(welcome.version()).isEqualTo(Frames.VERSION);
        assertThat(welcome.le().getShort(2)).as("WELCOME reserved").isZero();
        return welcome;
    }

    /**
     * The next frame; {@link Frame#EOF} when the server closed (end of stream or reset); null when
     * nothing complete arrived within {@code timeout}.
     */
    Frame poll(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Frame frame = parse();
            if (frame != null) {
                return frame;
            }
            if (eof) {
                if (!reset) {
                    assertThat(end - start).as("bytes of a truncated frame before EOF").isZero();
                }
                return Frame.EOF;
            }
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                return null;
            }
            if (!fill((int) Math.max(1, leftMillis))) {
                return null;
            }
        }
    }

    /** The next frame, failing when none arrives within {@code timeout}. */
    Frame next(Duration timeout) throws IOException {
        Frame frame = poll(timeout);
        if (frame == null) {
            throw new AssertionError("no frame from the server within " + timeout);
        }
        return frame;
    }

    /**
     * Reads until an ACK with correlationId ≥ {@code correlationId}; returns every frame read, that
     * ACK last. Fails on EOF, on ERROR, or after {@code timeout}.
     */
    List<Frame> readUntilAck(long correlationId, Duration timeout) throws IOException {
        List<Frame> frames = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Frame frame = poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame == null) {
                throw new AssertionError("no ACK(" + correlationId + ") within " + timeout + "; got " + tail(frames));
            }
            frames.add(frame);
            if (frame.isEof() || frame.kind() == Frames.ERROR) {
                throw new AssertionError("waiting for ACK(" + correlationId + ") but got " + tail(frames));
            }
            if (frame.kind() == Frames.ACK && frame.correlationId() >= correlationId) {
                return frames;
            }
        }
    }

    /**
     * Reads the ERROR the server owes (ACKs, REJECTs and PONGs before it are allowed), checks its code, and
     * that the server then closes the connection with nothing after the ERROR.
     */
    Frame expectErrorAndClose(ErrorCode code) throws IOException {
        List<Frame> frames = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Frame frame = poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame == null) {
                throw new AssertionError("no ERROR " + code + " within " + TIMEOUT + "; got " + tail(frames));
            }
            frames.add(frame);
            if (frame.isEof()) {
                throw new AssertionError("the server closed without ERROR " + code + "; got " + tail(frames));
            }
            if (frame.kind() == Frames.ERROR) {
                assertThat(ErrorCode.of(frame.code())).as("ERROR code of %s", frame).isEqualTo(code);
                assertThat(frame.le().getShort(2)).as("ERROR reserved").isZero();
                assertThat(frame.le().getInt(4)).as("ERROR messageLength").isEqualTo(frame.body().length - 8);
                assertThat(frame.message()).as("ERROR message").isNotBlank();
                assertClosedByServer();
                return frame;
            }
        }
    }

    /** The server closes this connection within {@link #TIMEOUT}, sending nothing more. */
    void assertClosedByServer() throws IOException {
        Frame after = poll(TIMEOUT);
        if (after == null) {
            throw new AssertionError("the server did not close the connection within " + TIMEOUT);
        }
        assertThat(after.isEof()).as("frame after the ERROR: %s", after).isTrue();
    }

    boolean isClosedByServer() {
        return eof;
    }

    /** True when the server's close came as a reset (it had unread input): bytes in flight may be lost. */
    boolean wasReset() {
        return reset;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** One whole frame from the buffer, or null. */
    private Frame parse() {
        if (end - start < 4) {
            return null;
        }
        ByteBuffer view = ByteBuffer.wrap(buffer, start, end - start).order(ByteOrder.LITTLE_ENDIAN);
        long length = Integer.toUnsignedLong(view.getInt(start));
        if (length < 4 || length > 1 << 24) {
            throw new AssertionError("the server sent a frame length of " + length);
        }
        if (end - start < 4 + length) {
            if (buffer.length < 4 + length) {
                buffer = Arrays.copyOf(buffer, (int) (4 + length) * 2);
            }
            return null;
        }
        int kind = Short.toUnsignedInt(view.getShort(start + 4));
        int flags = Short.toUnsignedInt(view.getShort(start + 6));
        byte[] body = Arrays.copyOfRange(buffer, start + 8, start + 4 + (int) length);
        start += 4 + (int) length;
        return new Frame(kind, flags, body);
    }

    /** Reads more bytes; false on timeout. A reset counts as the server closing. */
    private boolean fill(int timeoutMillis) throws IOException {
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buffer.length) {
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        socket.setSoTimeout(timeoutMillis);
        try {
            int read = in.read(buffer, end, buffer.length - end);
            if (read < 0) {
                eof = true;
            } else {
                end += read;
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            if (isReset(e)) {
                eof = true;
                reset = true;
                return true;
            }
            throw e;
        }
    }

    static boolean isReset(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("reset") || message.contains("Broken pipe");
    }

    private static String tail(List<Frame> frames) {
        return frames.size() <= 10 ? frames.toString()
            : frames.size() + " frames, last " + frames.subList(frames.size() - 10, frames.size());
    }
}
