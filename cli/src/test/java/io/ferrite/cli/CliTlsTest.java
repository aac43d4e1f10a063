package io.ferrite.cli;

import io.ferrite.testing.Await;
import io.ferrite.testing.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS as an operator runs it: {@code ferrite run --tls-cert --tls-key --tls-client-ca} in a child
 * JVM, {@code ferrite send} and {@code ferrite profile} with the client's flags against it; a client
 * without the right certificate is refused; a mismatched key stops the server at start; and plain
 * TCP on a non-loopback address is warned about.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliTlsTest {
    private static final Duration START = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static TestCertificates pki;

    @BeforeAll
    static void makeCertificates() {
        pki = TestCertificates.create(dir.resolve("pki"));
    }

    @Test
    void sendAndProfileReachAServerWithMutualTlsAndAClientWithoutACertificateIsRefused() throws Exception {
        try (CliProcess server = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--durability", "async",
            "--journal", dir.resolve("journal").toString(), "--cpus", "none", "--tls-cert", pki.serverChain().toString(),
            "--tls-key", pki.serverKey().toString(), "--tls-client-ca", pki.ca().toString())) {
            int port = server.awaitReady(START);
            String ready = server.awaitLine("ferrite listening on ", START);
            assertThat(ready).contains(" tls=openssl ");
            String adminPort = ready.replaceAll(".* admin=", "");

            CliRun send = CliRun.of("send", "--port", String.valueOf(port), "--count", "20000", "--size", "64",
                "--ack-timeout", "20s", "--tls-ca", pki.ca().toString(), "--tls-cert", pki.clientChain().toString(),
                "--tls-key", pki.clientKey().toString());
            assertThat(send.status()).as("%s", send).isZero();
            assertThat(send.out()).startsWith("sent=20000 acked=20000 rejected=0 errors=0 ");

            CliRun anonymous = CliRun.of("send", "--port", String.valueOf(port), "--count", "10",
                "--ack-timeout", "5s", "--tls-ca", pki.ca().toString());
            assertThat(anonymous.status()).as("%s", anonymous).isNotZero();
            assertThat(anonymous.out()).doesNotContain("acked=10");

            CliRun plain = CliRun.of("send", "--port", String.valueOf(port), "--count", "10", "--ack-timeout", "5s");
            assertThat(plain.status()).as("%s", plain).isNotZero();

            CliRun profile = CliRun.of("profile", "--admin-port", adminPort, "--duration", "500ms",
                "--out", dir.resolve("profile").toString(), "--tls-ca", pki.ca().toString(),
                "--tls-cert", pki.clientChain().toString(), "--tls-key", pki.clientKey().toString());
            assertThat(profile.status()).as("%s", profile).isZero();
            assertThat(profile.out()).contains("flame-cpu.html");

            assertThat(server.terminate(Duration.ofSeconds(30))).isZero();
        }
        CliRun replay = CliRun.of("replay", "--journal", dir.resolve("journal").toString(), "--count");
        assertThat(replay.out().strip()).as("%s", replay).isEqualTo("20000");
    }

    @Test
    void aKeyThatIsNotTheCertificatesStopsTheServerAtStartNamingTheFiles() {
        CliRun run = CliRun.of("run", "--port", "0", "--admin-port", "0", "--durability", "memory", "--cpus", "none",
            "--tls-cert", pki.serverChain().toString(), "--tls-key", pki.clientKey().toString());
        assertThat(run.status()).as("%s", run).isEqualTo(2);
        assertThat(run.err()).contains("cannot use TLS certificate " + pki.serverChain())
            .contains("with key " + pki.clientKey());
    }

    @Test
    void plainTcpOnANonLoopbackAddressIsWarnedAbout() throws Exception {
        try (CliProcess server = CliProcess.start("run", "--bind", "0.0.0.0", "--port", "0", "--admin-port", "0",
            "--durability", "memory", "--cpus", "none")) {
            server.awaitReady(START);
            Await.until("the warning about plain TCP", START,
                () -> server.output().contains("WARN FerriteServer - FWP/1 on 0.0.0.0:")
                    && server.output().contains("is plain TCP on a non-loopback address"));
            assertThat(server.terminate(Duration.ofSeconds(30))).isZero();
        }
    }
}
