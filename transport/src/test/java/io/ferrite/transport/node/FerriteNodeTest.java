package io.ferrite.transport.node;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.protocol.FrameKind;
import io.ferrite.testing.RawClient;
import io.ferrite.testing.RawFrame;
import io.ferrite.testing.RawFrames;
import io.ferrite.transport.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The composition root reconciles settings across engine, server and admin, and starts and stops them as one. */
class FerriteNodeTest {
    @TempDir
    Path dir;

    @Test
    void aFrameAsLargeAsTheServerAdvertisesIsAcceptedNotRejectedByTheEngine() throws Exception {
        int maxFrame = 4 << 20;
        try (TestNode node = TestNode.start(TestNode.asyncEngine(dir), TestNode.config().maxFrameLength(maxFrame));
             RawClient client = RawClient.connect(node.port())) {
            RawFrame welcome = client.hello();
            assertThat(welcome.maxFrameLength()).isEqualTo(maxFrame);
            byte[] twoMiB = new byte[2 << 20];
            byte[] largest = new byte[maxFrame - 4 - 40];
            client.send(RawFrames.event(1, 11, 7, 0, twoMiB));
            client.send(RawFrames.event(2, 12, 7, 0, largest));
            List<RawFrame> answers = client.readUntilAck(2, RawClient.TIMEOUT);
            assertThat(answers).extracting(RawFrame::kind).containsOnly(FrameKind.ACK);
            node.stage().awaitCount(2, 30);
            assertThat(node.stage().seen()).extracting(seen -> seen.payloadLength())
                .containsExactly(twoMiB.length, largest.length);
        }
    }

    @Test
    void anExplicitEnginePayloadLimitIsKept() {
        try (TestNode node = TestNode.start(TestNode.memoryEngine().maxPayloadLength(64), TestNode.config())) {
            assertThat(node.engine().config().maxPayloadLength()).isEqualTo(64);
        }
    }

    @Test
    void theAdminPortAnswersHealthWhileUpAndTheNodeClosesEverything() throws Exception {
        FerriteNode node = FerriteNode.builder(Engine.builder().durability(Durability.MEMORY)
                .stage("only", (event, index, endOfBatch) -> { }))
            .server(ServerConfig.builder().port(0)).admin(0).start();
        int adminPort = node.adminPort();
        int port = node.port();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/health"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"", "\"journal\":\"ok\"", "\"durability\":\"memory\"");
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/nope"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("GET /health");

        node.close();
        assertThatThrownBy(() -> RawClient.connect(port)).as("the FWP/1 port is closed").isInstanceOf(java.io.IOException.class);
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/health"))
            .build(), HttpResponse.BodyHandlers.ofString())).as("the admin port is closed").isInstanceOf(java.io.IOException.class);
        assertThat(node.closeAndReport()).as("closing again returns the first report").isNotNull();
    }

    @Test
    void aPortInUseLeavesNothingRunning() throws Exception {
        try (TestNode first = TestNode.memory()) {
            assertThatThrownBy(() -> TestNode.start(TestNode.memoryEngine(), TestNode.config().port(first.port())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot listen");
        }
    }
}
