package io.ferrite.transport.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS for the server's ports (FWP/1 and admin): its certificate chain and private key (PEM), and,
 * for mutual TLS, the certificates client certificates must chain to. TLS 1.3 and 1.2, the
 * provider's default ciphers.
 *
 * <p>Thread-safety: immutable.
 *
 * @param certificateChain PEM certificate chain, the server's own first
 * @param privateKey       its PEM private key: PKCS#8 ({@code BEGIN PRIVATE KEY}); OpenSSL also reads PKCS#1
 * @param clientCa         PEM certificates a client's certificate must chain to (mutual TLS: a client
 *                         without one is refused), or null for server-only TLS
 * @param provider         which implementation runs it
 */
public record TlsSettings(Path certificateChain, Path privateKey, Path clientCa, TlsProvider provider) {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    public TlsSettings {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(provider, "provider");
        requireReadable(certificateChain, "certificate chain");
        requireReadable(privateKey, "private key");
        if (clientCa != null) {
            requireReadable(clientCa, "client CA");
        }
    }

    /** Server-only TLS with the automatic provider. */
    public static TlsSettings of(Path certificateChain, Path privateKey) {
        return new TlsSettings(certificateChain, privateKey, null, TlsProvider.AUTO);
    }

    /** These settings with mutual TLS: clients must present a certificate chaining to {@code ca}. */
    public TlsSettings withClientCa(Path ca) {
        return new TlsSettings(certificateChain, privateKey, ca, provider);
    }

    /** These settings with another provider. */
    public TlsSettings withProvider(TlsProvider other) {
        return new TlsSettings(certificateChain, privateKey, clientCa, other);
    }

    /**
     * A server context from the files: one for all connections of a port. It has shaken hands with
     * itself once (in memory), so a key that does not belong to the certificate is refused here.
     *
     * @throws IllegalArgumentException naming the files when they do not make a usable key and certificate
     * @throws IllegalStateException    when the provider asked for is not available here
     */
    public SslContext newServerContext() {
        SslProvider implementation = provider.resolve();
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(certificateChain.toFile(), privateKey.toFile())
                .sslProvider(implementation)
                .protocols(PROTOCOLS);
            TlsSelfCheck.handshake(builder.build()); // before the client CA: the check's client has no certificate
            if (clientCa != null) {
                builder.trustManager(clientCa.toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (Exception e) { // SSLException, or IllegalArgumentException for a key that does not parse
            throw new IllegalArgumentException("cannot use TLS certificate " + certificateChain + " with key " + privateKey
                + (clientCa == null ? "" : " and client CA " + clientCa) + ": " + rootMessage(e), e);
        }
    }

    private static void requireReadable(Path file, String what) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("TLS " + what + " " + file + " is not a readable file");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }
}
