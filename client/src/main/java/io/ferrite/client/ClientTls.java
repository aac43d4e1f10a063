package io.ferrite.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for a {@link FerriteClient}: which server certificates to trust and, for mutual TLS, the
 * client's own certificate. The server's certificate must also name the host connected to (a DNS
 * or IP subject alternative name), as for HTTPS.
 *
 * <p>Thread-safety: immutable.
 */
public final class ClientTls {
    private static final Pattern PEM_BLOCK = Pattern.compile(
        "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519", "Ed448", "RSASSA-PSS");

    private final SSLContext context;

    private ClientTls(SSLContext context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    /** TLS with an {@link SSLContext} the application made (its own key and trust managers). */
    public static ClientTls of(SSLContext context) {
        return new ClientTls(context);
    }

    /** Trusts what the JDK trusts (its {@code cacerts}); no client certificate. */
    public static ClientTls systemTrust() {
        try {
            return new ClientTls(SSLContext.getDefault());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no default TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * Reads PEM files: the certificates to trust (a CA or the server's own, self-signed) and,
     * optionally, this client's certificate chain and its unencrypted PKCS#8 private key.
     *
     * @param trusted          PEM certificates; null trusts what the JDK trusts
     * @param certificateChain PEM certificate chain for mutual TLS, or null
     * @param privateKey       its PEM private key ({@code BEGIN PRIVATE KEY}), null exactly when the chain is
     * @throws IllegalArgumentException naming the file that cannot be read or used, and why
     */
    public static ClientTls fromPem(Path trusted, Path certificateChain, Path privateKey) {
        if ((certificateChain == null) != (privateKey == null)) {
            throw new IllegalArgumentException("a client certificate needs its private key and the key its certificate;"
                + " give both or neither");
        }
        try {
            TrustManagerFactory trust = null;
            if (trusted != null) {
                KeyStore store = emptyStore();
                int n = 0;
                for (Certificate certificate : certificates(trusted)) {
                    store.setCertificateEntry("trusted-" + n++, certificate);
                }
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
            }
            KeyManagerFactory keys = null;
            if (certificateChain != null) {
                KeyStore store = emptyStore();
                char[] noPassword = new char[0];
                store.setKeyEntry("client", privateKey(privateKey), noPassword,
                    certificates(certificateChain).toArray(Certificate[]::new));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, noPassword);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return new ClientTls(context);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** The context connections are made with. */
    public SSLContext context() {
        return context;
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        return store;
    }

    private static Collection<? extends Certificate> certificates(Path file) throws IOException {
        byte[] bytes = read(file);
        try {
            Collection<? extends Certificate> found = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(bytes));
            if (found.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no certificate (expected PEM: BEGIN CERTIFICATE)");
            }
            return found;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path file) throws IOException {
        String text = new String(read(file), StandardCharsets.US_ASCII);
        Matcher block = PEM_BLOCK.matcher(text);
        if (!block.find()) {
            throw new IllegalArgumentException(file + " holds no PEM private key");
        }
        if (!block.group(1).equals("PRIVATE KEY")) {
            throw new IllegalArgumentException(file + " holds a '" + block.group(1) + "'; an unencrypted PKCS#8"
                + " 'PRIVATE KEY' is needed (convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(block.group(2)));
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException wrongAlgorithm) {
                // try the next: PKCS#8 names its algorithm, but KeyFactory wants to be told
            }
        }
        throw new IllegalArgumentException(file + " holds a private key of an algorithm this JDK cannot read"
            + " (tried " + String.join(", ", KEY_ALGORITHMS) + ")");
    }

    private static byte[] read(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
        }
    }
}
