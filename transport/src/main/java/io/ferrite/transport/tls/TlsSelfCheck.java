package io.ferrite.transport.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import java.nio.ByteBuffer;

/**
 * Proves at start-up that a server context can finish a TLS handshake: a client engine that trusts
 * anything shakes hands with it in memory. Building a context checks that the files parse, not that
 * the key belongs to the certificate; without this a mismatched key would only show as every
 * client's handshake failing.
 *
 * <p>Thread-safety: stateless.
 */
final class TlsSelfCheck {
    private static final int MAX_STEPS = 64;

    private TlsSelfCheck() {
    }

    /** @throws SSLException when the handshake fails, with the provider's reason */
    static void handshake(SslContext server) throws SSLException {
        SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
            .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        SSLEngine clientEngine = client.newEngine(ByteBufAllocator.DEFAULT);
        SSLEngine serverEngine = server.newEngine(ByteBufAllocator.DEFAULT);
        try {
            int packet = Math.max(clientEngine.getSession().getPacketBufferSize(),
                serverEngine.getSession().getPacketBufferSize());
            ByteBuffer toServer = ByteBuffer.allocate(packet * 4);
            ByteBuffer toClient = ByteBuffer.allocate(packet * 4);
            ByteBuffer plaintext = ByteBuffer.allocate(packet * 4);
            clientEngine.beginHandshake();
            serverEngine.beginHandshake();
            for (int step = 0; step < MAX_STEPS; step++) {
                if (finished(clientEngine) && finished(serverEngine)) {
                    return;
                }
                advance(clientEngine, toClient, toServer, plaintext);
                advance(serverEngine, toServer, toClient, plaintext);
            }
            throw new SSLException("the TLS handshake with itself did not finish in " + MAX_STEPS + " steps");
        } finally {
            ReferenceCountUtil.release(serverEngine);
            ReferenceCountUtil.release(clientEngine);
        }
    }

    private static boolean finished(SSLEngine engine) {
        HandshakeStatus status = engine.getHandshakeStatus();
        return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
    }

    /** One step of one side: run its tasks, wrap what it has to send, unwrap what it was sent. */
    private static void advance(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer plaintext)
        throws SSLException {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
        switch (engine.getHandshakeStatus()) {
            case NEED_WRAP -> engine.wrap(ByteBuffer.allocate(0), out);
            case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                in.flip();
                engine.unwrap(in, plaintext);
                in.compact();
                plaintext.clear();
            }
            default -> {
                // nothing to do this step
            }
        }
    }
}
