package io.ferrite.transport.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

import java.util.Locale;

/**
 * Which TLS implementation the server's ports use. {@link #AUTO} takes OpenSSL (BoringSSL through
 * netty-tcnative) where its native library loads, else the JDK's.
 *
 * <p>Thread-safety: immutable.
 */
public enum TlsProvider {
    AUTO, OPENSSL, JDK;

    /** The name on the command line. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The provider to use.
     *
     * @throws IllegalStateException for {@link #OPENSSL} when its native library does not load here, with why
     */
    public SslProvider resolve() {
        return switch (this) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException("TLS provider openssl is not available on this platform ("
                        + OpenSsl.unavailabilityCause() + "); use --tls-provider jdk");
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }
}
