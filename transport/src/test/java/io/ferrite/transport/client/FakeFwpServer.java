package io.ferrite.transport.client;

import io.ferrite.transport.protocol.ErrorCode;
import io.ferrite.transport.protocol.Frames;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny FWP/1 server on a plain {@link ServerSocket} (loopback only), to test the client on its
 * own: answers HELLO with WELCOME (or ERROR UNAUTHORIZED), records every EVENT, and lets a
 * {@link Behaviour} decide per event what to answer (ACK, REJECT, ERROR, close).
 *
 * <p>Thread-safety: one thread per connection; the records are thread-safe lists.
 */
final class FakeFwpServer implements AutoCloseable {

    /** One EVENT as received. */
    record Event(int connection, long correlationId, long eventId, long key, int type, int priority, int payloadLength) {
    }

    /** What a connection answers to each EVENT. */
    @FunctionalInterface
    interface Behaviour {
        void onEvent(Connection connection, Event event) throws IOException;
    }

    /** ACK every event on its own, with journal index = 1000 + correlationId. */
    static final Behaviour ACK_EACH = (connection, event) -> connection.ack(event.correlationId(), 1000 + event.correlationId());

    private final ServerSocket socket;
    private final Thread acceptor;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    final List<Event> events = new CopyOnWriteArrayList<>();
    final List<String> helloNames = new CopyOnWriteArrayList<>();
    final List<Long> pongs = new CopyOnWriteArrayList<>();
    volatile byte[] requiredToken;
    volatile Behaviour behaviour = ACK_EACH;
    private volatile int connections;

    FakeFwpServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofPlatform().daemon().name("fake-fwp-acceptor").start(this::accept);
    }

    int port() {
        return socket.getLocalPort();
    }

    int connections() {
        return connections;
    }

    /** Events received on one connection, in order. */
    List<Event> eventsOn(int connection) {
        List<Event> on = new ArrayList<>();
        for (Event event : events) {
            if (event.connection() == connection) {
                on.add(event);
            }
        }
        return on;
    }

    private void accept() {
        try {
            while (!socket.isClosed()) {
                Socket client = socket.accept();
                client.setTcpNoDelay(true);
                open.add(client);
                int number = connections++;
                Thread.ofPlatform().daemon().name("fake-fwp-" + number).start(() -> serve(new Connection(number, client)));
            }
        } catch (IOException closed) {
            // the test closed the server
        }
    }

    private void serve(Connection connection) {
        try (connection.socket) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(connection.socket.getInputStream()));
            if (!hello(connection, in)) {
                return;
            }
            while (!connection.closed) {
                byte[] frame = readFrame(in);
                ByteBuffer body = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
                int kind = Short.toUnsignedInt(body.getShort(0));
                if (kind == Frames.PONG) {
                    pongs.add(body.getLong(4));
                    continue;
                }
                if (kind != Frames.EVENT) {
                    connection.error(ErrorCode.PROTOCOL_VIOLATION, "fake server expects EVENT, got " + Frames.kindName(kind));
                    return;
                }
                int b = 4;
                Event event = new Event(connection.number, body.getLong(b), body.getLong(b + 8), body.getLong(b + 16),
                    body.getInt(b + 32), Byte.toUnsignedInt(body.get(b + 36)), frame.length - 4 - 40);
                events.add(event);
                behaviour.onEvent(connection, event);
            }
        } catch (EOFException | SocketException gone) {
            // the client or the test closed the connection
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean hello(Connection connection, DataInputStream in) throws IOException {
        ByteBuffer hello = ByteBuffer.wrap(readFrame(in)).order(ByteOrder.LITTLE_ENDIAN);
        if (Short.toUnsignedInt(hello.getShort(0)) != Frames.HELLO || hello.getShort(4) != Frames.VERSION) {
            connection.error(ErrorCode.PROTOCOL_VIOLATION, "HELLO first");
            return false;
        }
        byte[] token = new byte[hello.getInt(8)];
        hello.get(12, token);
        byte[] name = new byte[hello.getInt(12 + token.length)];
        hello.get(16 + token.length, name);
        helloNames.add(new String(name, StandardCharsets.UTF_8));
        byte[] required = requiredToken;
        if (required != null && !Arrays.equals(required, token)) {
            connection.error(ErrorCode.UNAUTHORIZED, "wrong token");
            return false;
        }
        ByteBuffer welcome = frame(Frames.WELCOME, Frames.WELCOME_BODY);
        welcome.putShort((short) Frames.VERSION).putShort((short) 0).putInt(Frames.DEFAULT_MAX_FRAME_LENGTH)
            .putLong(4200 + connection.number);
        connection.send(welcome);
        return true;
    }

    /** kind + flags + body of the next frame. */
    private static byte[] readFrame(DataInputStream in) throws IOException {
        int length = Integer.reverseBytes(in.readInt());
        byte[] frame = new byte[length];
        in.readFully(frame);
        return frame;
    }

    private static ByteBuffer frame(int kind, int bodyLength) {
        ByteBuffer frame = ByteBuffer.allocate(Frames.BODY_OFFSET + bodyLength).order(ByteOrder.LITTLE_ENDIAN);
        return frame.putInt(Frames.MIN_LENGTH + bodyLength).putShort((short) kind).putShort((short) 0);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket client : open) {
            client.close();
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One accepted connection, as the behaviour sees it. */
    static final class Connection {
        final int number;
        final Socket socket;
        private final OutputStream out;
        volatile boolean closed;

        Connection(int number, Socket socket) {
            this.number = number;
            this.socket = socket;
            try {
                this.out = socket.getOutputStream();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        void ack(long correlationId, long journalIndex) throws IOException {
            send(frame(Frames.ACK, Frames.ACK_BODY).putLong(correlationId).putLong(journalIndex));
        }

        void reject(long correlationId, ErrorCode code, String message) throws IOException {
            byte[] text = message.getBytes(StandardCharsets.UTF_8);
            send(frame(Frames.REJECT, Frames.REJECT_MIN_BODY + text.length).putLong(correlationId)
                .putShort((short) code.code()).putShort((short) 0).putInt(text.length).put(text));
        }

        /** ERROR, then close. */
        void error(ErrorCode code, String message) throws IOException {
            byte[] text = message.getBytes(StandardCharsets.UTF_8);
            send(frame(Frames.ERROR, Frames.ERROR_MIN_BODY + text.length).putShort((short) code.code())
                .putShort((short) 0).putInt(text.length).put(text));
            close();
        }

        void ping(long nonce) throws IOException {
            send(frame(Frames.PING, Frames.PING_BODY).putLong(nonce));
        }

        void close() throws IOException {
            closed = true;
            socket.close();
        }

        synchronized void send(ByteBuffer frame) throws IOException {
            out.write(frame.array(), 0, frame.position());
            out.flush();
        }
    }
}
