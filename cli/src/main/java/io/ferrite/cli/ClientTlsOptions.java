package io.ferrite.cli;

import io.ferrite.client.ClientTls;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The client side's TLS flags, shared by the commands that connect to a server ({@code send} to its
 * FWP/1 port, {@code profile} to its admin port).
 *
 * <p>Thread-safety: picocli fills the fields; read on the command's thread.
 */
final class ClientTlsOptions {
    @Option(names = "--tls", description = "Connect with TLS, trusting the JDK's certificate authorities (implied by"
        + " --tls-ca).")
    boolean tls;

    @Option(names = "--tls-ca", description = "PEM certificates to trust for the server's (a CA, or its self-signed"
        + " certificate); the certificate must name the host connected to.")
    Path ca;

    @Option(names = "--tls-cert", description = "This client's PEM certificate chain, for servers with mutual TLS."
        + " Needs --tls-key.")
    Path certificate;

    @Option(names = "--tls-key", description = "Its PEM private key (PKCS#8: BEGIN PRIVATE KEY).")
    Path key;

    /** True when any TLS flag was given. */
    boolean enabled() {
        return tls || ca != null || certificate != null || key != null;
    }

    /**
     * TLS from the flags, or null for plain TCP (no TLS flag given).
     *
     * @throws IllegalArgumentException naming the flags when they do not go together or a file is unusable
     */
    ClientTls toClientTls() {
        if (!enabled()) {
            return null;
        }
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give the certificate chain and"
                + " its private key");
        }
        try {
            return ca == null && certificate == null ? ClientTls.systemTrust() : ClientTls.fromPem(ca, certificate, key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--tls-ca/--tls-cert/--tls-key: " + e.getMessage(), e);
        }
    }
}
