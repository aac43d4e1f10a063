package io.ferrite.cli;

import io.ferrite.cli.profile.ProfileArchive;
import io.ferrite.cli.profile.ProfileEvent;
import io.ferrite.engine.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
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
    @Option(names = "--duration", defaultValue = "30s", description = "How long to sample, e.g. 500ms, 30s, 2m (default ${DEFAULT-VALUE}; at most 10m).")
    String duration;

    @Option(names = "--event", defaultValue = "cpu", description = "cpu | alloc | wall | lock (default ${DEFAULT-VALUE}).")
    String event;

    @Option(names = "--out", defaultValue = "./profile", description = "Directory for the files (default ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    AdminClientOptions admin = new AdminClientOptions();

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
        PrintWriter console = spec.commandLine().getOut();
        HttpResponse<byte[]> response;
        try (AdminClientOptions.Connection connection = admin.connect()) {
            console.printf(Locale.ROOT, "ferrite: profiling %s:%d (%s) for %s ...%n", admin.host, admin.adminPort,
                profileEvent, duration);
            console.flush();
            response = connection.get(String.format(Locale.ROOT, "/profile?event=%s&millis=%d", profileEvent.eventName(),
                sampling.toMillis()), sampling.plusSeconds(60), HttpResponse.BodyHandlers.ofByteArray());
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
