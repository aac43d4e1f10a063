package io.ferrite.cli.profile;

import one.profiler.AsyncProfiler;
import one.profiler.Counter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One async-profiler session in this JVM: {@link #start} it, {@link #stop} it into a directory
 * (an HTML flamegraph and the collapsed stacks). async-profiler is process-wide, so at most one
 * session runs at a time; a second {@link #start} is refused while one runs.
 *
 * <p>CPU profiling uses perf events. Where the kernel does not permit them
 * ({@code kernel.perf_event_paranoid} 3 or more, or perf_event_open failing, as in some
 * containers), a CPU session samples with {@code itimer} instead and its result says so.
 *
 * <p>Thread-safety: {@link #start} from any thread; {@link #stop} once, from any thread. Calls
 * from a virtual thread are run on a platform thread (async-profiler cannot start from one).
 */
public final class ProfileSession {
    private static final Path PARANOID = Path.of("/proc/sys/kernel/perf_event_paranoid");
    private static final AtomicBoolean RUNNING = new AtomicBoolean();

    private final AsyncProfiler profiler;
    private final ProfileEvent requested;
    private final String sampled;
    private final String note;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private ProfileSession(AsyncProfiler profiler, ProfileEvent requested, String sampled, String note) {
        this.profiler = profiler;
        this.requested = requested;
        this.sampled = sampled;
        this.note = note;
    }

    /**
     * Starts sampling {@code event}.
     *
     * @throws IllegalStateException when a session is already running, or async-profiler cannot
     *                               load or start here (the message says why)
     */
    public static ProfileSession start(ProfileEvent event) {
        return onPlatformThread(() -> start(event, perfEventParanoid()));
    }

    /** {@link #start(ProfileEvent)} with the kernel's perf_event_paranoid level given (tests). */
    static ProfileSession start(ProfileEvent event, int paranoid) {
        if (!RUNNING.compareAndSet(false, true)) {
            throw new IllegalStateException("a profiling session is already running in this process; wait for it to end");
        }
        try {
            AsyncProfiler profiler = load();
            if (event == ProfileEvent.CPU && paranoid >= 3) {
                return startItimer(profiler, event, "perf events are not permitted (kernel.perf_event_paranoid="
                    + paranoid + "); sampled with itimer instead");
            }
            try {
                execute(profiler, "start,event=" + event.eventName() + "," + event.samplingOption());
                return new ProfileSession(profiler, event, event.eventName(), null);
            } catch (IllegalStateException e) {
                if (event != ProfileEvent.CPU) {
                    throw e;
                }
                return startItimer(profiler, event, "perf events failed (" + e.getMessage()
                    + "); sampled with itimer instead");
            }
        } catch (RuntimeException | Error e) {
            RUNNING.set(false);
            throw e;
        }
    }

    private static ProfileSession startItimer(AsyncProfiler profiler, ProfileEvent event, String note) {
        execute(profiler, "start,event=itimer,interval=1ms");
        return new ProfileSession(profiler, event, "itimer", note);
    }

    /**
     * Stops sampling and writes {@code flame-<event>.html} and {@code collapsed-<event>.txt} into
     * {@code directory} (created if missing).
     */
    public ProfileResult stop(Path directory) {
        return onPlatformThread(() -> stopHere(directory));
    }

    private ProfileResult stopHere(Path directory) {
        if (!stopped.compareAndSet(false, true)) {
            throw new IllegalStateException("this profiling session has already stopped");
        }
        try {
            Files.createDirectories(directory);
            Path collapsed = directory.resolve("collapsed-" + requested.eventName() + ".txt");
            Path flamegraph = directory.resolve("flame-" + requested.eventName() + ".html");
            String stacks = profiler.dumpCollapsed(Counter.SAMPLES);
            Files.writeString(collapsed, stacks, StandardCharsets.UTF_8);
            execute(profiler, "stop,file=" + flamegraph.toAbsolutePath());
            return new ProfileResult(requested, sampled, note, flamegraph, collapsed, countSamples(stacks));
        } catch (IOException e) {
            stopQuietly();
            throw new UncheckedIOException("cannot write the profile into " + directory + ": " + e.getMessage(), e);
        } finally {
            RUNNING.set(false);
        }
    }

    /** Stops sampling and discards the profile (the server is going away without an output directory). */
    public void abandon() {
        if (stopped.compareAndSet(false, true)) {
            onPlatformThread(() -> {
                stopQuietly();
                return null;
            });
            RUNNING.set(false);
        }
    }

    public ProfileEvent requested() {
        return requested;
    }

    /** The kernel's perf_event_paranoid level, or 0 when it cannot be read (then perf events are tried). */
    static int perfEventParanoid() {
        try {
            return Integer.parseInt(Files.readString(PARANOID).trim());
        } catch (IOException | NumberFormatException | SecurityException e) {
            return 0;
        }
    }

    static long countSamples(String collapsedStacks) {
        long total = 0;
        for (String line : collapsedStacks.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (space > 0) {
                try {
                    total += Long.parseLong(line.substring(space + 1).trim());
                } catch (NumberFormatException ignored) {
                    // not a stack line
                }
            }
        }
        return total;
    }

    private void stopQuietly() {
        try {
            profiler.execute("stop");
        } catch (IOException | IllegalStateException ignored) {
            // not running any more
        }
    }

    /**
     * Calls {@code action} on a platform thread: async-profiler finds the JVM's thread structures
     * from the thread that loads and first calls it, and cannot from a virtual one ("Could not
     * find VMThread bridge"), while the admin port answers each request on a virtual thread.
     */
    private static <T> T onPlatformThread(Supplier<T> action) {
        if (!Thread.currentThread().isVirtual()) {
            return action.get();
        }
        Object[] outcome = new Object[1];
        Thread platform = Thread.ofPlatform().name("ferrite-profiler").start(() -> {
            try {
                outcome[0] = action.get();
            } catch (RuntimeException | Error e) {
                outcome[0] = e;
            }
        });
        try {
            platform.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while async-profiler was called", e);
        }
        if (outcome[0] instanceof RuntimeException e) {
            throw e;
        }
        if (outcome[0] instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T result = (T) outcome[0];
        return result;
    }

    private static AsyncProfiler load() {
        try {
            return AsyncProfiler.getInstance();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new IllegalStateException("async-profiler cannot load on this platform (" + System.getProperty("os.name")
                + " " + System.getProperty("os.arch") + "): " + e.getMessage(), e);
        }
    }

    private static void execute(AsyncProfiler profiler, String command) {
        try {
            profiler.execute(command);
        } catch (IOException e) {
            throw new UncheckedIOException("async-profiler '" + command + "' failed: " + e.getMessage(), e);
        }
    }
}
