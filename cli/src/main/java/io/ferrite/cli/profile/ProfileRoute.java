package io.ferrite.cli.profile;

import io.ferrite.transport.admin.AdminRequest;
import io.ferrite.transport.admin.AdminResponse;
import io.ferrite.transport.admin.AdminRoute;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The admin port's {@code GET /profile?event=cpu|alloc|wall|lock&millis=N}: profiles this process
 * with async-profiler for N milliseconds (at most ten minutes) and answers a zip of the flamegraph,
 * the collapsed stacks and a summary ({@link ProfileArchive}); 409 while another profile runs.
 * The admin server guards it with the server's token.
 *
 * <p>Thread-safety: thread-safe; one profile at a time (async-profiler is one per process).
 */
public final class ProfileRoute implements AdminRoute, AutoCloseable {
    private static final long MAX_PROFILE_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private volatile ProfileSession active;

    @Override
    public AdminResponse handle(AdminRequest request) throws IOException, InterruptedException {
        ProfileEvent event = ProfileEvent.parse(request.parameter("event", "cpu"));
        long millis = millis(request.parameter("millis", "30000"));
        ProfileSession session;
        try {
            session = ProfileSession.start(event);
        } catch (IllegalStateException e) {
            return AdminResponse.error(409, e.getMessage());
        }
        active = session;
        Path directory = null;
        try {
            Thread.sleep(millis);
            directory = Files.createTempDirectory("ferrite-profile");
            return new AdminResponse(200, "application/zip", ProfileArchive.pack(session.stop(directory)));
        } catch (InterruptedException | IOException | RuntimeException e) {
            session.abandon();
            throw e;
        } finally {
            active = null;
            deleteQuietly(directory);
        }
    }

    private static long millis(String text) {
        long millis;
        try {
            millis = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("millis must be a whole number of milliseconds, was '" + text + "'", e);
        }
        if (millis <= 0 || millis > MAX_PROFILE_MILLIS) {
            throw new IllegalArgumentException("millis must be in [1, " + MAX_PROFILE_MILLIS + "], was " + millis);
        }
        return millis;
    }

    /** Abandons a profile still running (the server is stopping). */
    @Override
    public void close() {
        ProfileSession session = active;
        if (session != null) {
            session.abandon();
        }
    }

    private static void deleteQuietly(Path directory) {
        if (directory == null) {
            return;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
