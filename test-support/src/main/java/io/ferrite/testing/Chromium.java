package io.ferrite.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Headless Chromium (Debian's package; {@code .ci/run} installs it) for tests that load a page as
 * a person would: the DOM after the page's scripts ran, or a screenshot.
 *
 * <p>Thread-safety: stateless; each call starts its own browser process.
 */
public final class Chromium {
    private Chromium() {
    }

    /** In CI ({@code CI=true}) Chromium must be there; elsewhere the calling test is skipped without it. */
    public static void require() throws Exception {
        boolean found = new ProcessBuilder("sh", "-c", "command -v chromium").start().waitFor() == 0;
        if (!found && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("chromium is not installed; .ci/run installs Debian's chromium package");
        }
        Assumptions.assumeTrue(found, "chromium is not installed (apt-get install chromium); skipping");
    }

    /** The page's DOM once its scripts had five seconds of virtual time to fetch and draw. */
    public static String dumpDom(Path directory, String url) throws Exception {
        return run(directory, "--dump-dom", url);
    }

    /** Runs headless Chromium on {@code args} (its profile and log in {@code directory}); returns its stdout. */
    public static String run(Path directory, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("chromium", "--headless=new", "--no-sandbox",
            "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + directory.resolve("profile"),
            "--virtual-time-budget=5000"));
        command.addAll(List.of(args));
        Path log = directory.resolve("chromium.log");
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(process.exitValue()).as("chromium: %s", Files.readString(log)).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}
