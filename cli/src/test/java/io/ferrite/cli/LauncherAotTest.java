package io.ferrite.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/ferrite} passes {@code -XX:AOTCache} only for a cache trained on the jar it runs: one
 * older than the jar (a rebuild since {@code bin/ferrite aot}) is left out. Runs the launcher's own
 * {@code bin/lib/aot.sh} over files with chosen times.
 */
class LauncherAotTest {
    private static final Instant JAR_TIME = Instant.parse("2026-01-02T00:00:00Z");

    @TempDir
    Path root;

    @Test
    void aCacheIsUsedOnlyWhileNewerThanTheJar() throws Exception {
        Path jar = root.resolve("ferrite.jar");
        Path cache = root.resolve("ferrite.aot");
        assertThat(flags(cache, jar)).as("no jar, no cache").isEmpty();
        touch(jar, JAR_TIME);
        assertThat(flags(cache, jar)).as("no cache").isEmpty();
        touch(cache, JAR_TIME.plusSeconds(5));
        assertThat(flags(cache, jar)).isEqualTo("-XX:AOTCache=" + cache);
        touch(jar, JAR_TIME.plusSeconds(10)); // rebuilt after training
        assertThat(flags(cache, jar)).as("a cache of an older build").isEmpty();
    }

    private static void touch(Path file, Instant time) throws IOException {
        Files.writeString(file, file.getFileName().toString());
        Files.setLastModifiedTime(file, FileTime.from(time));
    }

    private static String flags(Path cache, Path jar) throws IOException, InterruptedException {
        Path repository = Path.of(System.getProperty("ferrite.jvmOptions")).toAbsolutePath().getParent().getParent();
        Process bash = new ProcessBuilder("bash", "-c", ". \"$1\"; ferrite_aot_flags \"$2\" \"$3\"", "test",
            repository.resolve("bin/lib/aot.sh").toString(), cache.toString(), jar.toString())
            .redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(out).isZero();
        return out;
    }
}
