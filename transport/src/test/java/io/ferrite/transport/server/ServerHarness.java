package io.ferrite.transport.server;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineBuilder;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Test helper: a real {@link Engine} with a {@link RecordingStage}, and a real {@link FerriteServer}
 * in front of it on 127.0.0.1, port 0. Closing stops the server, releases the stage and closes the engine.
 *
 * <p>Thread-safety: start and close on the test thread.
 */
final class ServerHarness implements AutoCloseable {
    final Engine engine;
    final FerriteServer server;
    final RecordingStage stage;

    private ServerHarness(Engine engine, FerriteServer server, RecordingStage stage) {
        this.engine = engine;
        this.server = server;
        this.stage = stage;
    }

    /** An engine for tests where durability does not matter: MEMORY, small ring, no pinning. */
    static EngineBuilder memoryEngine() {
        return Engine.builder().durability(Durability.MEMORY).memoryRingBytes(8 << 20).cpuLayout("none")
            .dedupWindow(200_000, Duration.ofMinutes(10)).closeTimeout(Duration.ofSeconds(5));
    }

    /** An ASYNC engine journaling under {@code directory}. */
    static EngineBuilder asyncEngine(Path directory) {
        return Engine.builder().durability(Durability.ASYNC).journal(directory).cpuLayout("none")
            .dedupWindow(10_000, Duration.ofMinutes(10)).closeTimeout(Duration.ofSeconds(5));
    }

    /** Loopback, port 0, the given transport left as in {@link ServerConfig#defaults(int)}. */
    static ServerConfig config() {
        return ServerConfig.defaults(0);
    }

    static ServerHarness start(EngineBuilder engineBuilder, RecordingStage stage, ServerConfig config) {
        Engine engine = engineBuilder.stage("record", stage).build();
        try {
            return new ServerHarness(engine, FerriteServer.start(engine, config), stage);
        } catch (RuntimeException e) {
            stage.release();
            engine.close();
            throw e;
        }
    }

    static ServerHarness start(EngineBuilder engineBuilder, ServerConfig config) {
        return start(engineBuilder, RecordingStage.recording(), config);
    }

    int port() {
        return server.port();
    }

    ServerCounters counters() {
        return server.counters();
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            stage.release();
            engine.close();
        }
    }
}
