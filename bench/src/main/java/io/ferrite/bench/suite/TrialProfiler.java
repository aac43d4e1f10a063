package io.ferrite.bench.suite;

import io.ferrite.cli.profile.ProfileEvent;
import io.ferrite.cli.profile.ProfileResult;
import io.ferrite.cli.profile.ProfileSession;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Profiles one scenario at a time with a {@link ProfileSession}: {@link #start} just before the
 * first measured trial (after open and warm-up), {@link #stop} just after the last, which moves the
 * session's output to {@code <directory>/<scenario>-<event>.html} and
 * {@code <directory>/<scenario>-<event>.collapsed.txt}. A profile that cannot be started or written
 * is recorded as such; the scenario's measurements stand (profiled numbers are not comparable to
 * unprofiled ones either way).
 *
 * <p>Thread-safety: single-threaded (the suite runner's); async-profiler allows one session per
 * process, so one instance per run.
 */
public final class TrialProfiler {
    private final ProfileEvent event;
    private final Path directory;
    private final Path out;
    private ProfileSession session;
    private String failure;

    /**
     * @param event     what to sample
     * @param directory where the flamegraphs go (created when needed)
     * @param out       the run's output folder, which the recorded paths are relative to
     */
    public TrialProfiler(ProfileEvent event, Path directory, Path out) {
        this.event = event;
        this.directory = directory.toAbsolutePath().normalize();
        this.out = out.toAbsolutePath().normalize();
    }

    public ProfileEvent event() {
        return event;
    }

    /** Starts sampling; a failure is kept for {@link #stop} to report. */
    void start() {
        assert session == null : "a profile is already running";
        failure = null;
        try {
            session = ProfileSession.start(event);
        } catch (RuntimeException e) {
            failure = e.getMessage();
        }
    }

    /** Stops sampling and files the flamegraph under the scenario's name. */
    ProfileRecord stop(String scenario) {
        if (session == null) {
            return ProfileRecord.failed(event, failure == null ? "the profiler did not start" : failure);
        }
        ProfileSession running = session;
        session = null;
        Path scratch = null;
        try {
            Files.createDirectories(directory);
            scratch = Files.createTempDirectory(directory, ".profile-");
            ProfileResult result = running.stop(scratch);
            Path flamegraph = move(result.flamegraph(), scenario + "-" + event.eventName() + ".html");
            Path collapsed = move(result.collapsed(), scenario + "-" + event.eventName() + ".collapsed.txt");
            return new ProfileRecord(event, result.sampled(), result.note(), relative(flamegraph), relative(collapsed),
                result.samples());
        } catch (IOException | RuntimeException e) {
            running.abandon();
            return ProfileRecord.failed(event, "cannot write the profile into " + directory + ": " + e.getMessage());
        } finally {
            deleteQuietly(scratch);
        }
    }

    /** Stops sampling without writing (the scenario failed mid-trials). */
    void abandon() {
        if (session != null) {
            session.abandon();
            session = null;
        }
    }

    private Path move(Path from, String name) throws IOException {
        return Files.move(from, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    private String relative(Path file) {
        return out.relativize(file.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }

    private static void deleteQuietly(Path scratch) {
        if (scratch == null) {
            return;
        }
        try (var leftovers = Files.list(scratch)) {
            for (Path file : leftovers.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(scratch);
        } catch (IOException e) {
            // a leftover scratch folder is harmless: its name starts with a dot
        }
    }
}
