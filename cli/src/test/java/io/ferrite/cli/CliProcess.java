package io.ferrite.cli;

import io.ferrite.testing.Await;

import io.ferrite.testing.ChildJvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test helper: {@code ferrite ARGS} as a real child JVM (the shared flag list from
 * {@code ferrite.jvmOptions}, this test's class path, main class {@link FerriteCli}), its stdout and
 * stderr collected line by line. Closing kills it if it is still alive.
 *
 * <p>Thread-safety: one test thread drives it; a daemon thread collects the output.
 */
final class CliProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("ferrite listening on ([^ ]+):(\\d+) transport=(\\S+) "
        + "durability=(\\S+) journal=(\\S+) tls=(\\S+) admin=(\\d+)");

    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final Thread collector;

    private CliProcess(Process process) {
        this.process = process;
        this.collector = Thread.ofPlatform().daemon().name("cli-output-" + process.pid()).start(this::collect);
    }

    static CliProcess start(String... args) throws IOException {
        return new CliProcess(ChildJvm.start(FerriteCli.class, args));
    }

    /** Another main class (a test's variant of a command) as the child. */
    static CliProcess startMain(Class<?> mainClass, String... args) throws IOException {
        return new CliProcess(ChildJvm.start(mainClass, args));
    }

    long pid() {
        return process.pid();
    }

    /** Waits for the ready line of {@code ferrite run} and returns its FWP/1 port. */
    int awaitReady(Duration timeout) {
        String line = awaitLine("ferrite listening on ", timeout);
        Matcher matcher = READY.matcher(line);
        if (!matcher.matches()) {
            throw new AssertionError("ready line not as documented: " + line);
        }
        return Integer.parseInt(matcher.group(2));
    }

    /** The first output line starting with {@code prefix}, waiting for it up to {@code timeout}. */
    String awaitLine(String prefix, Duration timeout) {
        String[] found = new String[1];
        Await.until("a line starting with '" + prefix + "'", timeout, () -> {
            synchronized (output) {
                for (String line : output) {
                    if (line.startsWith(prefix)) {
                        found[0] = line;
                        return true;
                    }
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("the child exited with " + process.exitValue() + " before '" + prefix
                    + "'; output:\n" + output());
            }
            return false;
        }, this::output);
        return found[0];
    }

    /** kill -9. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the child did not die after SIGKILL");
        }
    }

    /**
     * SIGTERM, then waits for the exit status and the last of the output. Through the process
     * handle: {@code Process.destroy()} would also close the child's stdout, losing its last lines.
     */
    int terminate(Duration timeout) throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the child did not exit within " + timeout + " of SIGTERM; output:\n" + output());
        }
        collector.join(Duration.ofSeconds(10));
        return process.exitValue();
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    private void collect() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
            }
        } catch (IOException e) {
            // the child was killed: its pipe closed
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
