package io.ferrite.testing;

import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.ErrorFrame;
import io.ferrite.protocol.FrameHeader;
import io.ferrite.protocol.FrameKind;
import io.ferrite.protocol.HelloFrame;
import io.ferrite.protocol.WelcomeFrame;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.lang.foreign.MemorySegment;
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
public final class RawClient implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

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

    public static RawClient connect(int port) throws IOException {
        return connect(port, 0);
    }

    /** Connects; a positive {@code receiveBufferBytes} shrinks SO_RCVBUF before connecting (slow-consumer tests). */
    public static RawClient connect(int port, int receiveBufferBytes) throws IOException {
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
    public static RawClient connectAndHello(int port) throws IOException {
        RawClient client = connect(port);
        client.hello();
        return client;
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Half-closes: the server sees end of input. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Sends a legal HELLO and expects WELCOME. */
    public RawFrame hello() throws IOException {
        send(RawFrames.hello());
        return expectWelcome();
    }

    public RawFrame expectWelcome() throws IOException {
        RawFrame welcome = next(TIMEOUT);
        assertThat(welcome.kind()).as("answer to HELLO: %s", welcome).isEqualTo(FrameKind.WELCOME);
        assertThat(welcome.body()).hasSize(WelcomeFrame.BODY_LENGTH);
        assertThat(welcome.version()).isEqualTo(HelloFrame.VERSION);
        assertThat(welcome.u16(WelcomeFrame.RESERVED_OFFSET)).as("WELCOME reserved").isZero();
        return welcome;
    }

    /**
     * The next frame; {@link RawFrame#EOF} when the server closed (end of stream or reset); null when
     * nothing complete arrived within {@code timeout}.
     */
    public RawFrame poll(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            RawFrame frame = parse();
            if (frame != null) {
                return frame;
            }
            if (eof) {
                if (!reset) {
                    assertThat(end - start).as("bytes of a truncated frame before EOF").isZero();
                }
                return RawFrame.EOF;
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
    public RawFrame next(Duration timeout) throws IOException {
        RawFrame frame = poll(timeout);
        if (frame == null) {
            throw new AssertionError("no frame from the server within " + timeout);
        }
        return frame;
    }

    /**
     * Reads until an ACK with correlationId ≥ {@code correlationId}; returns every frame read, that
     * ACK last. Fails on EOF, on ERROR, or after {@code timeout}.
     */
    public List<RawFrame> readUntilAck(long correlationId, Duration timeout) throws IOException {
        List<RawFrame> frames = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            RawFrame frame = poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame == null) {
                throw new AssertionError("no ACK(" + correlationId + ") within " + timeout + "; got " + tail(frames));
            }
            frames.add(frame);
            if (frame.isEof() || frame.kind() == FrameKind.ERROR) {
                throw new AssertionError("waiting for ACK(" + correlationId + ") but got " + tail(frames));
            }
            if (frame.kind() == FrameKind.ACK && frame.correlationId() >= correlationId) {
                return frames;
            }
        }
    }

    /**
     * Reads the ERROR the server owes (ACKs, REJECTs and PONGs before it are allowed), checks its code, and
     * that the server then closes the connection with nothing after the ERROR.
     */
    public RawFrame expectErrorAndClose(ErrorCode code) throws IOException {
        List<RawFrame> frames = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            RawFrame frame = poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame == null) {
                throw new AssertionError("no ERROR " + code + " within " + TIMEOUT + "; got " + tail(frames));
            }
            frames.add(frame);
            if (frame.isEof()) {
                throw new AssertionError("the server closed without ERROR " + code + "; got " + tail(frames));
            }
            if (frame.kind() == FrameKind.ERROR) {
                assertThat(ErrorCode.of(frame.code())).as("ERROR code of %s", frame).isEqualTo(code);
                assertThat(frame.u16(ErrorFrame.RESERVED_OFFSET)).as("ERROR reserved").isZero();
                assertThat(frame.u32(ErrorFrame.MESSAGE_LENGTH_OFFSET)).as("ERROR messageLength")
                    .isEqualTo(frame.body().length - ErrorFrame.MESSAGE_OFFSET);
                assertThat(frame.message()).as("ERROR message").isNotBlank();
                assertClosedByServer();
                return frame;
            }
        }
    }

    /** The server closes this connection within {@link #TIMEOUT}, sending nothing more. */
    public void assertClosedByServer() throws IOException {
        RawFrame after = poll(TIMEOUT);
        if (after == null) {
            throw new AssertionError("the server did not close the connection within " + TIMEOUT);
        }
        assertThat(after.isEof()).as("frame after the ERROR: %s", after).isTrue();
    }

    public boolean isClosedByServer() {
        return eof;
    }

    /** True when the server's close came as a reset (it had unread input): bytes in flight may be lost. */
    public boolean wasReset() {
        return reset;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** One whole frame from the buffer, or null. */
    private RawFrame parse() {
        if (end - start < 4) {
            return null;
        }
        MemorySegment view = MemorySegment.ofArray(buffer);
        long length = FrameHeader.lengthAt(view, start);
        if (length < 4 || length > 1 << 24) {
            throw new AssertionError("the server sent a frame length of " + length);
        }
        if (end - start < 4 + length) {
            if (buffer.length < 4 + length) {
                buffer = Arrays.copyOf(buffer, (int) (4 + length) * 2);
            }
            return null;
        }
        FrameHeader header = new FrameHeader().wrap(view, start);
        int kind = header.kind();
        int flags = header.flags();
        byte[] body = Arrays.copyOfRange(buffer, start + 8, start + 4 + (int) length);
        start += 4 + (int) length;
        return new RawFrame(kind, flags, body);
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

    public static boolean isReset(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("reset") || message.contains("Broken pipe");
    }

    private static String tail(List<RawFrame> frames) {
        return frames.size() <= 10 ? frames.toString()
            : frames.size() + " frames, last " + frames.subList(frames.size() - 10, frames.size());
    }
}
