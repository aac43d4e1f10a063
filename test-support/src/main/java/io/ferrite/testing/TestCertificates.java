package io.ferrite.testing;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * PEM files for TLS tests, made fresh in a directory: a CA, a server certificate it issued for
 * {@code 127.0.0.1} and {@code localhost}, a client certificate it issued (mutual TLS), and a
 * second, unrelated CA with its own server certificate (what a client must refuse). EC P-256 keys,
 * PKCS#8.
 *
 * <p>Thread-safety: immutable once made.
 *
 * @param ca             the CA's certificate (what clients and the server's client check trust)
 * @param serverChain    the server's certificate chain (server first, then the CA)
 * @param serverKey      the server's private key
 * @param clientChain    a client certificate chain the CA issued
 * @param clientKey      its private key
 * @param strangerCa     a CA nobody trusts
 * @param strangerChain  a server certificate for 127.0.0.1 issued by the stranger CA
 * @param strangerKey    its private key
 * @param wrongHostChain a certificate from the trusted CA for another host only ({@code elsewhere.test})
 * @param wrongHostKey   its private key
 */
public record TestCertificates(Path ca, Path serverChain, Path serverKey, Path clientChain, Path clientKey,
                               Path strangerCa, Path strangerChain, Path strangerKey, Path wrongHostChain,
                               Path wrongHostKey) {

    /** Makes every certificate and writes the PEM files into {@code directory}. */
    public static TestCertificates create(Path directory) {
        try {
            Files.createDirectories(directory);
            X509Bundle ca = authority("CN=Ferrite test CA");
            X509Bundle server = issued("CN=127.0.0.1", true).addSanIpAddress("127.0.0.1").addSanDnsName("localhost")
                .buildIssuedBy(ca);
            X509Bundle client = issued("CN=ferrite-test-client", false).buildIssuedBy(ca);
            X509Bundle stranger = authority("CN=Somebody else's CA");
            X509Bundle strangerServer = issued("CN=127.0.0.1", true).addSanIpAddress("127.0.0.1")
                .buildIssuedBy(stranger);
            X509Bundle wrongHost = issued("CN=elsewhere.test", true).addSanDnsName("elsewhere.test").buildIssuedBy(ca);
            return new TestCertificates(
                write(directory.resolve("ca.pem"), ca.getCertificatePEM()),
                write(directory.resolve("server.pem"), server.getCertificatePathPEM()),
                write(directory.resolve("server.key"), server.getPrivateKeyPEM()),
                write(directory.resolve("client.pem"), client.getCertificatePathPEM()),
                write(directory.resolve("client.key"), client.getPrivateKeyPEM()),
                write(directory.resolve("stranger-ca.pem"), stranger.getCertificatePEM()),
                write(directory.resolve("stranger-server.pem"), strangerServer.getCertificatePathPEM()),
                write(directory.resolve("stranger-server.key"), strangerServer.getPrivateKeyPEM()),
                write(directory.resolve("wrong-host.pem"), wrongHost.getCertificatePathPEM()),
                write(directory.resolve("wrong-host.key"), wrongHost.getPrivateKeyPEM()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make test certificates in " + directory, e);
        }
    }

    private static X509Bundle authority(String subject) throws Exception {
        return base(subject).setIsCertificateAuthority(true)
            .setKeyUsage(true, CertificateBuilder.KeyUsage.keyCertSign, CertificateBuilder.KeyUsage.cRLSign)
            .buildSelfSigned();
    }

    private static CertificateBuilder issued(String subject, boolean server) {
        CertificateBuilder builder = base(subject)
            .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature, CertificateBuilder.KeyUsage.keyAgreement);
        return server ? builder.addExtendedKeyUsageServerAuth() : builder.addExtendedKeyUsageClientAuth();
    }

    private static CertificateBuilder base(String subject) {
        Instant now = Instant.now();
        return new CertificateBuilder().subject(subject).ecp256()
            .notBefore(now.minus(1, ChronoUnit.HOURS)).notAfter(now.plus(1, ChronoUnit.DAYS));
    }

    private static Path write(Path file, String pem) throws IOException {
        return Files.writeString(file, pem);
    }
}
