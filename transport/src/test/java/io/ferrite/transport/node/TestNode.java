package io.ferrite.transport.node;

import io.ferrite.client.ClientConfig;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.engine.RecordingHandler;
import io.ferrite.transport.server.FerriteServer;
import io.ferrite.transport.server.ServerConfig;
import io.ferrite.transport.server.ServerCounters;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Test fixture: a real {@link FerriteNode} (engine, FWP/1 server on 127.0.0.1) whose one stage is a
 * {@link RecordingHandler}. Closing releases the stage (if it blocks) and closes the node.
 *
 * <p>Thread-safety: start and close on the test thread; the accessors from any.
 */
public final class TestNode implements AutoCloseable {
    private final FerriteNode node;
    private final RecordingHandler stage;

    private TestNode(FerriteNode node, RecordingHandler stage) {
        this.node = node;
        this.stage = stage;
    }

    /** An engine for tests where durability does not matter: MEMORY, small ring, a 200k-id window. */
    public static EngineBuilder memoryEngine() {
        return Engine.builder().durability(Durability.MEMORY).memoryRingBytes(8 << 20)
            .dedupWindow(200_000, Duration.ofMinutes(10)).closeTimeout(Duration.ofSeconds(5));
    }

    /** An ASYNC engine journaling under {@code directory}. */
    public static EngineBuilder asyncEngine(Path directory) {
        return Engine.builder().durability(Durability.ASYNC).journal(directory)
            .dedupWindow(100_000, Duration.ofMinutes(10)).closeTimeout(Duration.ofSeconds(5));
    }

    /** Loopback, any free port, the other settings as the server's defaults. */
    public static ServerConfig.Builder config() {
        return ServerConfig.builder().port(0);
    }

    public static TestNode start(EngineBuilder engine, RecordingHandler stage, ServerConfig.Builder server) {
        FerriteNode node = FerriteNode.builder(engine.stage("record", stage)).server(server).start();
        return new TestNode(node, stage);
    }

    public static TestNode start(EngineBuilder engine, ServerConfig.Builder server) {
        return start(engine, new RecordingHandler(), server);
    }

    /** MEMORY durability, the default server on a free port. */
    public static TestNode memory() {
        return start(memoryEngine(), config());
    }

    /** ASYNC durability journaling under {@code directory}, on {@code port} (0 = free). */
    public static TestNode async(Path directory, int port) {
        return start(asyncEngine(directory), config().port(port));
    }

    public FerriteNode node() {
        return node;
    }

    public Engine engine() {
        return node.engine();
    }

    public FerriteServer server() {
        return node.server();
    }

    public RecordingHandler stage() {
        return stage;
    }

    public int port() {
        return node.port();
    }

    public ServerCounters counters() {
        return node.server().counters();
    }

    /** Events the stage handled. */
    public long handled() {
        return stage.count();
    }

    /** A client configuration for this node. */
    public ClientConfig.Builder client() {
        return ClientConfig.builder("127.0.0.1", port());
    }

    @Override
    public void close() {
        stage.release();
        node.close();
    }
}
