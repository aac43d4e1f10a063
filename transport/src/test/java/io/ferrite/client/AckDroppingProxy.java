package io.ferrite.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test helper: a loopback TCP proxy in front of a server that can swallow everything the server
 * sends (its ACKs) while still forwarding what the client sends, and can cut every connection.
 * Together they make "journaled by the server, never ACKed to the client" happen on purpose.
 *
 * <p>Thread-safety: two pump threads per connection; the switches are volatile.
 */
final class AckDroppingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    volatile boolean swallowServerBytes;

    AckDroppingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("proxy-acceptor").start(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Closes every proxied connection (both sides); new ones are accepted as before. */
    void cutConnections() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    private void accept() {
        try {
            while (!listener.isClosed()) {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                Thread.ofPlatform().daemon().name("proxy-up").start(() -> pump(client, server, false));
                Thread.ofPlatform().daemon().name("proxy-down").start(() -> pump(server, client, true));
            }
        } catch (IOException closed) {
            // the test closed the proxy
        }
    }

    private void pump(Socket from, Socket to, boolean fromServer) {
        byte[] buffer = new byte[64 * 1024];
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (!(fromServer && swallowServerBytes)) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException gone) {
            // one side closed: closing both ends the other pump too
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cutConnections();
    }
}
