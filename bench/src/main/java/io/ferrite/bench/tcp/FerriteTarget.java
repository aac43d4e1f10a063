package io.ferrite.bench.tcp;

import io.ferrite.bench.engine.TempDirectory;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.transport.node.FerriteNode;
import io.ferrite.transport.server.ServerConfig;
import io.ferrite.transport.server.TransportKind;

import java.time.Duration;

/**
 * The real thing, in this JVM: an {@link Engine} with one no-op stage journaling into a fresh
 * temporary directory, behind a {@link FerriteServer} on 127.0.0.1 and an ephemeral port. Nothing
 * is pinned ({@code cpuLayout none}): two cores cannot give the server, the engine and the load
 * generator a core each.
 *
 * <p>Thread-safety: open and close from one thread.
 */
final class FerriteTarget implements IngestTarget {
    private final TempDirectory directory = new TempDirectory();
    private final FerriteNode node;

    FerriteTarget(TransportKind transport, Durability durability) {
        this(transport, durability, true);
    }

    /** @param dedup false: the engine's dedup window is off (a diagnostic: what the window costs) */
    FerriteTarget(TransportKind transport, Durability durability, boolean dedup) {
        try {
            EngineBuilder engine = Engine.builder().journal(directory.path()).durability(durability)
                .stage("count", (event, index, endOfBatch) -> { });
            if (!dedup) {
                engine.dedupWindow(0, Duration.ofMinutes(1));
            }
            node = FerriteNode.builder(engine).server(ServerConfig.builder().port(0).transport(transport)).start();
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
    public void close() {
        try {
            node.close();
        } finally {
            directory.close();
        }
    }
}
