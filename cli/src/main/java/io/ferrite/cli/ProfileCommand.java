package io.ferrite.cli;

import io.ferrite.cli.profile.ProfileArchive;
import io.ferrite.cli.profile.ProfileEvent;
import io.ferrite.client.ClientTls;
import io.ferrite.engine.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ferrite profile}: profiles a running server through its admin port
 * ({@code GET /profile}) and writes the flamegraph and collapsed stacks it sends back.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
    description = "Profile a running 'ferrite run' through its admin port; writes flame-EVENT.html and collapsed-EVENT.txt.")
final class ProfileCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Server host (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--admin-port", defaultValue = "7071", description = "The server's admin port (default ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--duration", defaultValue = "30s", description = "How long to sample, e.g. 500ms, 30s, 2m (default ${DEFAULT-VALUE}; at most 10m).")
    String duration;

    @Option(names = "--event", defaultValue = "cpu", description = "cpu | alloc | wall | lock (default ${DEFAULT-VALUE}).")
    String event;

    @Option(names = "--out", defaultValue = "./profile", description = "Directory for the files (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--token-file", description = "The server's token file (required when the server was started with one).")
    Path tokenFile;

    @Mixin
    ClientTlsOptions tls = new ClientTlsOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        ProfileEvent profileEvent = ProfileEvent.parse(event);
        Duration sampling;
        try {
            sampling = Durations.parse(duration);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--duration: " + e.getMessage(), e);
        }
        if (sampling.isZero() || sampling.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("--duration must be more than 0 and at most 10m, was " + duration);
        }
        if (adminPort < 1 || adminPort > 65_535) {
            throw new IllegalArgumentException("--admin-port must be 1..65535, was " + adminPort);
        }
        byte[] token = tokenFile == null ? null : RunCommand.readToken(tokenFile);
        ClientTls clientTls = tls.toClientTls();
        URI uri = URI.create(String.format(Locale.ROOT, "%s://%s:%d/profile?event=%s&millis=%d",
            clientTls == null ? "http" : "https", host, adminPort,
            profileEvent.eventName(), sampling.toMillis()));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(sampling.plusSeconds(60));
        if (token != null) {
            request.header("Authorization", "Bearer " + new String(token, StandardCharsets.UTF_8));
        }
        PrintWriter console = spec.commandLine().getOut();
        console.printf(Locale.ROOT, "ferrite: profiling %s:%d (%s) for %s ...%n", host, adminPort, profileEvent, duration);
        console.flush();
        HttpResponse<byte[]> response;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (clientTls != null) {
            http.sslContext(clientTls.context());
        }
        try (HttpClient client = http.build()) {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new IllegalStateException("no admin port answers at " + host + ":" + adminPort
                + " (is 'ferrite run' up, and is this its --admin-port?)", e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the server refused the profile (HTTP " + response.statusCode() + "): "
                + new String(response.body(), StandardCharsets.UTF_8).trim());
        }
        List<Path> files = ProfileArchive.unpack(response.body(), out);
        Path summary = out.resolve(ProfileArchive.SUMMARY);
        console.println("ferrite: " + Files.readString(summary, StandardCharsets.UTF_8).trim());
        for (Path file : files) {
            console.println("  " + file);
        }
        return 0;
    }
}
