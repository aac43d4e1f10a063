package io.ferrite.transport.client;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.transport.server.FerriteServer;
import io.ferrite.transport.server.ServerConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test helper: a real {@link Engine} (one counting stage) behind a real {@link FerriteServer} on
 * 127.0.0.1. Closing stops the server, then the engine.
 *
 * <p>Thread-safety: start and close on the test thread; {@link #handled} from any.
 */
final class RealServer implements AutoCloseable {
    final Engine engine;
    final FerriteServer server;
    final AtomicLong handled;

    private RealServer(EngineBuilder builder, ServerConfig config) {
        AtomicLong count = new AtomicLong();
        this.handled = count;
        this.engine = builder.stage("count", (event, index, endOfBatch) -> count.incrementAndGet()).build();
        try {
            this.server = FerriteServer.start(engine, config);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /** MEMORY durability (no journal), default server config on a free port. */
    static RealServer memory() {
        return memory(ServerConfig.defaults(0));
    }

    static RealServer memory(ServerConfig config) {
        return new RealServer(Engine.builder().durability(Durability.MEMORY).memoryRingBytes(8 << 20)
            .cpuLayout("none").dedupWindow(100_000, Duration.ofMinutes(10)).closeTimeout(Duration.ofSeconds(5)), config);
    }

    /** ASYNC durability journaling under {@code directory}, on {@code port} (0 = free). */
    static RealServer async(Path directory, int port) {
        return new RealServer(Engine.builder().durability(Durability.ASYNC).journal(directory).cpuLayout("none")
            .dedupWindow(100_000, Duration.ofMinutes(10)).closeTimeout(Duration.ofSeconds(5)),
            ServerConfig.defaults(port));
    }

    int port() {
        return server.port();
    }

    ClientConfig client() {
        return ClientConfig.defaults("127.0.0.1", port());
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            engine.close();
        }
    }
}
