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
 * {@code bin/ferrite} rebuilds its jar when a source is newer than the jar (it used to build only
 * when the jar was missing, so after an update a user silently ran old code). Runs the launcher's
 * own check, {@code bin/lib/stale-jar.sh}, over a small tree with chosen file times.
 */
class LauncherStaleJarTest {
    private static final Instant JAR_TIME = Instant.parse("2026-01-02T00:00:00Z");

    @TempDir
    Path root;

    private static Path repository() {
        return Path.of(System.getProperty("ferrite.jvmOptions")).toAbsolutePath().getParent().getParent();
    }

    private String staleSource(Path jar) throws IOException, InterruptedException {
        Path script = repository().resolve("bin/lib/stale-jar.sh");
        Process bash = new ProcessBuilder("bash", "-c", ". \"$1\"; ferrite_stale_source \"$2\" \"$3\" engine cli",
            "test", script.toString(), root.toString(), jar.toString()).redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(out).isZero();
        return out;
    }

    private Path file(String relative, Instant time) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, relative);
        Files.setLastModifiedTime(file, FileTime.from(time));
        return file;
    }

    @Test
    void aMissingJarIsStale() throws Exception {
        Path jar = root.resolve("cli/target/ferrite.jar");
        assertThat(staleSource(jar)).isEqualTo(jar.toString());
    }

    @Test
    void aJarNewerThanEverySourceIsUpToDate() throws Exception {
        file("pom.xml", JAR_TIME.minusSeconds(60));
        file("engine/src/main/java/io/ferrite/engine/Engine.java", JAR_TIME.minusSeconds(60));
        file("engine/src/test/java/io/ferrite/engine/SomeTest.java", JAR_TIME.plusSeconds(60)); // tests do not count
        Path jar = file("cli/target/ferrite.jar", JAR_TIME);
        assertThat(staleSource(jar)).isEmpty();
    }

    @Test
    void aSourceResourceOrPomNewerThanTheJarMakesItStale() throws Exception {
        Path jar = file("cli/target/ferrite.jar", JAR_TIME);
        file("pom.xml", JAR_TIME.minusSeconds(60));
        Path source = file("engine/src/main/java/io/ferrite/engine/Engine.java", JAR_TIME.plusSeconds(1));
        assertThat(staleSource(jar)).isEqualTo(source.toString());

        Files.setLastModifiedTime(source, FileTime.from(JAR_TIME.minusSeconds(1)));
        Path resource = file("cli/src/main/resources/simplelogger.properties", JAR_TIME.plusSeconds(1));
        assertThat(staleSource(jar)).isEqualTo(resource.toString());

        Files.setLastModifiedTime(resource, FileTime.from(JAR_TIME.minusSeconds(1)));
        Path pom = file("engine/pom.xml", JAR_TIME.plusSeconds(1));
        assertThat(staleSource(jar)).isEqualTo(pom.toString());
    }
}
