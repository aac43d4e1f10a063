package io.ferrite.client;

import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.FrameHeader;
import io.ferrite.protocol.FrameKind;
import io.ferrite.protocol.HelloFrame;
import io.ferrite.testing.RawFrame;
import io.ferrite.testing.RawFrames;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
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
                RawFrame frame = RawFrames.read(in);
                if (frame.kind() == FrameKind.PONG) {
                    pongs.add(frame.nonce());
                    continue;
                }
                if (frame.kind() != FrameKind.EVENT) {
                    connection.error(ErrorCode.PROTOCOL_VIOLATION, "fake server expects EVENT, got "
                        + FrameKind.name(frame.kind()));
                    return;
                }
                var body = frame.event();
                Event event = new Event(connection.number, body.correlationId(), body.eventId(), body.key(),
                    body.type(), body.priority(), (int) body.payloadLength());
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
        RawFrame frame = RawFrames.read(in);
        MemorySegment body = MemorySegment.ofArray(frame.body());
        if (frame.kind() != FrameKind.HELLO || HelloFrame.check(body, 0, frame.body().length) != null) {
            connection.error(ErrorCode.PROTOCOL_VIOLATION, "HELLO first");
            return false;
        }
        HelloFrame hello = new HelloFrame().wrap(body, 0);
        helloNames.add(hello.name());
        byte[] required = requiredToken;
        if (required != null && !hello.tokenEquals(required)) {
            connection.error(ErrorCode.UNAUTHORIZED, "wrong token");
            return false;
        }
        connection.send(RawFrames.welcome(FrameHeader.DEFAULT_MAX_FRAME_LENGTH, 4200 + connection.number));
        return true;
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
            send(RawFrames.ack(correlationId, journalIndex));
        }

        void reject(long correlationId, ErrorCode code, String message) throws IOException {
            send(RawFrames.reject(correlationId, code, message));
        }

        /** ERROR, then close. */
        void error(ErrorCode code, String message) throws IOException {
            send(RawFrames.error(code, message));
            close();
        }

        void ping(long nonce) throws IOException {
            send(RawFrames.ping(nonce));
        }

        void close() throws IOException {
            closed = true;
            socket.close();
        }

        synchronized void send(byte[] frame) throws IOException {
            out.write(frame);
            out.flush();
        }
    }
}
