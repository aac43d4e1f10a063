package io.ferrite.transport.tls;

import io.ferrite.client.ClientTls;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.FerriteClientException;
import io.ferrite.engine.RecordingHandler;
import io.ferrite.testing.Await;
import io.ferrite.testing.RawFrames;
import io.ferrite.testing.TestCertificates;
import io.ferrite.transport.node.FerriteNode;
import io.ferrite.transport.node.TestNode;
import io.ferrite.transport.server.ServerConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TLS on both ports over real loopback TCP, with certificates made for the test: events cross
 * TLS with either provider (OpenSSL through tcnative, the JDK's), a client refuses a server it
 * does not trust or that names another host, mutual TLS refuses a client without a certificate,
 * plain TCP and TLS meeting each other fail clearly on both sides, a TLS handshake that never
 * starts is cut at the handshake timeout, and the admin port serves HTTPS.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerTlsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The first byte of a TLS alert record. */
    private static final byte TLS_ALERT = 0x15;

    @TempDir
    static Path certificates;
    private static TestCertificates pki;

    @BeforeAll
    static void makeCertificates() {
        pki = TestCertificates.create(certificates);
    }

    private static ServerConfig.Builder tlsServer(TlsSettings tls) {
        return TestNode.config().tls(tls);
    }

    private static TlsSettings serverTls(TlsProvider provider) {
        return TlsSettings.of(pki.serverChain(), pki.serverKey()).withProvider(provider);
    }

    @Test
    void openSslIsAvailableOnThisPlatform() {
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative loads: %s", OpenSsl.unavailabilityCause()).isTrue();
        assertThat(TlsProvider.AUTO.resolve()).isEqualTo(SslProvider.OPENSSL);
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"OPENSSL", "JDK"})
    void eventsCrossTlsAndAreAckedWithEitherProvider(TlsProvider provider) throws Exception {
        try (TestNode node = TestNode.start(TestNode.memoryEngine(), tlsServer(serverTls(provider)));
             FerriteClient client = FerriteClient.connect(node.client()
                 .tls(ClientTls.fromPem(pki.ca(), null, null)).build())) {
            assertThat(node.server().tlsContext().isServer()).isTrue();
            byte[] payload = new byte[64];
            int events = 20_000;
            for (int i = 1; i <= events; i++) {
                Arrays.fill(payload, (byte) i);
                client.publish(1, i, i, 0, payload);
            }
            byte[] large = new byte[300_000]; // spans many TLS records in both directions of the wrap
            Arrays.fill(large, (byte) 7);
            long last = client.publish(1, 0, events + 1, 0, large);
            client.flush();
            assertThat(client.awaitAcked(last, WAIT)).isTrue();
            node.stage().awaitCount(events + 1, WAIT.toSeconds());
            assertThat(node.stage().seen().get(events).payloadLength()).isEqualTo(large.length);
            assertThat(node.counters().accepted()).isEqualTo(events + 1);
            assertThat(node.counters().tlsHandshakeFailures()).isZero();
        }
    }

    @Test
    void aClientRefusesAServerSignedByAnotherCaAndOneThatNamesAnotherHost() {
        TlsSettings stranger = TlsSettings.of(pki.strangerChain(), pki.strangerKey());
        TlsSettings wrongHost = TlsSettings.of(pki.wrongHostChain(), pki.wrongHostKey());
        ClientTls trustingOurCa = ClientTls.fromPem(pki.ca(), null, null);
        try (TestNode node = TestNode.start(TestNode.memoryEngine(), tlsServer(stranger))) {
            assertThatThrownBy(() -> FerriteClient.connect(node.client().tls(trustingOurCa).reconnect(false).build()))
                .isInstanceOf(FerriteClientException.class)
                .hasMessageContaining("TLS with 127.0.0.1:" + node.port() + " failed")
                .hasMessageContaining("certification path");
            Await.until("the server counts the failure", WAIT, () -> node.counters().tlsHandshakeFailures() == 1);
            assertThat(node.counters().connectionsOpened()).isEqualTo(1);
            assertThat(node.counters().accepted()).isZero();
        }
        try (TestNode node = TestNode.start(TestNode.memoryEngine(), tlsServer(wrongHost))) {
            assertThatThrownBy(() -> FerriteClient.connect(node.client().tls(trustingOurCa).reconnect(false).build()))
                .isInstanceOf(FerriteClientException.class)
                .hasMessageContaining("TLS with 127.0.0.1:" + node.port() + " failed")
                .hasMessageContaining("No subject alternative names matching IP address 127.0.0.1");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsProvider.class, names = {"OPENSSL", "JDK"})
    void mutualTlsServesAClientWithACertificateFromTheCaAndRefusesOneWithout(TlsProvider provider) throws Exception {
        TlsSettings mutual = serverTls(provider).withClientCa(pki.ca());
        try (TestNode node = TestNode.start(TestNode.memoryEngine(), tlsServer(mutual))) {
            ClientTls anonymous = ClientTls.fromPem(pki.ca(), null, null);
            assertThatThrownBy(() -> {
                try (FerriteClient client = FerriteClient.connect(node.client().tls(anonymous).reconnect(false).build())) {
                    // TLS 1.3: the server checks the client's certificate after the client's handshake is
                    // done, so the refusal can come as the answer to HELLO
                    client.publish(1, 1, 1, 0, new byte[8]);
                    client.flush();
                    assertThat(client.awaitAcked(1, WAIT)).isTrue();
                }
            }).isInstanceOfAny(FerriteClientException.class, AssertionError.class);
            Await.until("the server refused the handshake", WAIT, () -> node.counters().tlsHandshakeFailures() == 1);
            assertThat(node.counters().accepted()).isZero();

            ClientTls withCertificate = ClientTls.fromPem(pki.ca(), pki.clientChain(), pki.clientKey());
            try (FerriteClient client = FerriteClient.connect(node.client().tls(withCertificate).build())) {
                long id = client.publish(1, 1, 1, 0, new byte[8]);
                client.flush();
                assertThat(client.awaitAcked(id, WAIT)).isTrue();
            }
            assertThat(node.counters().accepted()).isEqualTo(1);
        }
    }

    @Test
    void plainTcpOnTheTlsPortIsClosedWithoutAnFwpAnswerAndCounted() throws Exception {
        try (TestNode node = TestNode.start(TestNode.memoryEngine(), tlsServer(serverTls(TlsProvider.AUTO)));
             Socket plain = new Socket("127.0.0.1", node.port())) {
            plain.getOutputStream().write(RawFrames.hello());
            byte[] answer = readUntilClosed(plain);
            assertThat(answer.length == 0 || answer[0] == TLS_ALERT).as("a TLS alert or nothing, never WELCOME: %s",
                Arrays.toString(answer)).isTrue();
            Await.until("counted as a failed TLS handshake", WAIT, () -> node.counters().tlsHandshakeFailures() == 1);
            assertThatThrownBy(() -> FerriteClient.connect(node.client().reconnect(false)
                .connectTimeout(Duration.ofSeconds(3)).build()))
                .isInstanceOf(FerriteClientException.class)
                .hasMessageContaining("cannot connect to 127.0.0.1:" + node.port())
                .hasMessageContaining("a server that requires TLS does this to plain TCP");
            assertThat(node.counters().accepted()).isZero();
        }
    }

    @Test
    void aTlsClientOnAPlainPortFailsAsTls() {
        try (TestNode node = TestNode.memory()) {
            assertThatThrownBy(() -> FerriteClient.connect(node.client().tls(ClientTls.fromPem(pki.ca(), null, null))
                .reconnect(false).connectTimeout(Duration.ofSeconds(5)).build()))
                .isInstanceOf(FerriteClientException.class)
                .hasMessageContaining("TLS with 127.0.0.1:" + node.port() + " failed")
                .hasMessageContaining("plaintext connection?");
            assertThat(node.counters().accepted()).isZero();
            Await.until("the ClientHello counted as a protocol error", WAIT, () -> node.counters().protocolErrors() == 1);
        }
    }

    @Test
    void aConnectionThatNeverStartsItsTlsHandshakeIsClosedAtTheHandshakeTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(300);
        try (TestNode node = TestNode.start(TestNode.memoryEngine(),
                 tlsServer(serverTls(TlsProvider.AUTO)).handshakeTimeout(timeout));
             Socket silent = new Socket("127.0.0.1", node.port())) {
            long started = System.nanoTime();
            readUntilClosed(silent);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(timeout.plusSeconds(5));
            Await.until("counted as a failed TLS handshake", WAIT, () -> node.counters().tlsHandshakeFailures() == 1);
        }
    }

    @Test
    void theAdminPortServesHttpsWithTheServersCertificateAndClientCa() throws Exception {
        TlsSettings mutual = serverTls(TlsProvider.AUTO).withClientCa(pki.ca());
        try (FerriteNode node = FerriteNode.builder(TestNode.memoryEngine().stage("record", new RecordingHandler())).server(tlsServer(mutual)).admin(0).start()) {
            URI health = URI.create("https://127.0.0.1:" + node.adminPort() + "/health");
            ClientTls withCertificate = ClientTls.fromPem(pki.ca(), pki.clientChain(), pki.clientKey());
            try (HttpClient https = HttpClient.newBuilder().sslContext(withCertificate.context()).build()) {
                HttpResponse<String> response = https.send(HttpRequest.newBuilder(health).build(),
                    HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).contains("\"status\":\"UP\"");
            }
            try (HttpClient anonymous = HttpClient.newBuilder()
                .sslContext(ClientTls.fromPem(pki.ca(), null, null).context()).build()) {
                assertThatThrownBy(() -> anonymous.send(HttpRequest.newBuilder(health).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
            }
            try (HttpClient plain = HttpClient.newHttpClient()) {
                URI plainHealth = URI.create("http://127.0.0.1:" + node.adminPort() + "/health");
                assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(plainHealth).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
            }
        }
    }

    /** Everything the server sends until it closes (EOF or reset); fails after {@link #WAIT}. */
    private static byte[] readUntilClosed(Socket socket) throws IOException {
        socket.setSoTimeout((int) WAIT.toMillis());
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        try {
            int n;
            while ((n = socket.getInputStream().read(chunk)) >= 0) {
                received.write(chunk, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + WAIT, e);
        } catch (SocketException reset) {
            // a reset is a close too
        }
        return received.toByteArray();
    }

    @Test
    void unusableFilesAreRefusedNamingThem() {
        assertThatThrownBy(() -> TlsSettings.of(certificates.resolve("missing.pem"), pki.serverKey()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem is not a readable file");
        TlsSettings swapped = TlsSettings.of(pki.serverKey(), pki.serverChain());
        assertThatThrownBy(swapped::newServerContext)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("server.key").hasMessageContaining("server.pem");
        TlsSettings mismatched = TlsSettings.of(pki.serverChain(), pki.clientKey());
        assertThatThrownBy(mismatched::newServerContext)
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client.key");
        assertThatThrownBy(() -> ClientTls.fromPem(pki.serverKey(), null, null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("server.key");
        assertThatThrownBy(() -> ClientTls.fromPem(pki.ca(), pki.clientChain(), null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both or neither");
    }
}
