package io.ferrite.bench.tcp;

import io.ferrite.bench.engine.TempDirectory;
import io.ferrite.client.ClientTls;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.testing.TestCertificates;
import io.ferrite.transport.node.FerriteNode;
import io.ferrite.transport.server.ServerConfig;
import io.ferrite.transport.server.TransportKind;
import io.ferrite.transport.tls.TlsProvider;
import io.ferrite.transport.tls.TlsSettings;

import java.time.Duration;

/**
 * The real thing, in this JVM: an {@link Engine} with one no-op stage journaling into a fresh
 * temporary directory, behind a {@link FerriteServer} on 127.0.0.1 and an ephemeral port. Nothing
 * is pinned ({@code cpuLayout none}): two cores cannot give the server, the engine and the load
 * generator a core each. With TLS, certificates are made for the run and the client trusts their CA.
 *
 * <p>Thread-safety: open and close from one thread.
 */
final class FerriteTarget implements IngestTarget {
    private final TempDirectory directory = new TempDirectory();
    private final FerriteNode node;
    private final ClientTls clientTls;

    FerriteTarget(TransportKind transport, Durability durability) {
        this(transport, durability, true, null);
    }

    /**
     * @param dedup false: the engine's dedup window is off (a diagnostic: what the window costs)
     * @param tls   TLS on the port with this provider (certificates made for the run), or null for plain TCP
     */
    FerriteTarget(TransportKind transport, Durability durability, boolean dedup, TlsProvider tls) {
        try {
            ServerConfig.Builder server = ServerConfig.builder().port(0).transport(transport);
            if (tls != null) {
                TestCertificates pki = TestCertificates.create(directory.path().resolve("pki"));
                server.tls(new TlsSettings(pki.serverChain(), pki.serverKey(), null, tls));
                clientTls = ClientTls.fromPem(pki.ca(), null, null);
            } else {
                clientTls = null;
            }
            EngineBuilder engine = Engine.builder().durability(durability)
                .stage("count", (event, index, endOfBatch) -> { });
            if (!dedup) {
                engine.dedupWindow(0, Duration.ofMinutes(1));
            }
            node = FerriteNode.builder(engine.journal(directory.path().resolve("journal"))).server(server).start();
        } catch (RuntimeException e) {
            directory.close();
            throw e;
        }
    }

    @Override
    public int port() {
        return node.port();
    }

    @Override
    public ClientTls clientTls() {
        return clientTls;
    }

    @Override
    public void close() {
        try {
            node.close();
        } finally {
            directory.close();
        }
    }
}
