package io.ferrite.cli;

import io.ferrite.client.ClientTls;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The flags of the commands that call a running node's admin port ({@code profile}, {@code status}):
 * where it is, its token, TLS; and the one way they call it.
 *
 * <p>Thread-safety: picocli fills the fields; read on the command's thread.
 */
final class AdminClientOptions {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Server host (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--admin-port", defaultValue = "7071", description = "The server's admin port (default ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--token-file", description = "The server's token file (required when the server was started with one).")
    Path tokenFile;

    @Mixin
    ClientTlsOptions tls = new ClientTlsOptions();

    /**
     * Checks the flags and opens an HTTP client for the admin port.
     *
     * @throws IllegalArgumentException naming a flag that is wrong
     */
    Connection connect() {
        if (adminPort < 1 || adminPort > 65_535) {
            throw new IllegalArgumentException("--admin-port must be 1..65535, was " + adminPort);
        }
        byte[] token = tokenFile == null ? null : RunCommand.readToken(tokenFile);
        ClientTls clientTls = tls.toClientTls();
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (clientTls != null) {
            http.sslContext(clientTls.context());
        }
        return new Connection(http.build(), String.format(Locale.ROOT, "%s://%s:%d", clientTls == null ? "http" : "https",
            host, adminPort), token == null ? null : "Bearer " + new String(token, StandardCharsets.UTF_8));
    }

    /** An open client of one admin port. */
    final class Connection implements AutoCloseable {
        private final HttpClient client;
        private final String base;
        private final String authorization;

        private Connection(HttpClient client, String base, String authorization) {
            this.client = client;
            this.base = base;
            this.authorization = authorization;
        }

        /** {@code GET pathAndQuery}, waiting up to {@code timeout} for the answer. */
        <T> HttpResponse<T> get(String pathAndQuery, Duration timeout, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET().timeout(timeout);
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            try {
                return client.send(request.build(), body);
            } catch (ConnectException e) {
                throw new IllegalStateException("no admin port answers at " + host + ":" + adminPort
                    + " (is 'ferrite run' up, and is this its --admin-port?)", e);
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
