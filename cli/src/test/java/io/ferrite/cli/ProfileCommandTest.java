package io.ferrite.cli;

import io.ferrite.engine.EventHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Profiling a server through its admin port ({@code ferrite profile} against a server started
 * from parsed {@code ferrite run} flags in this JVM), and {@code ferrite run --profile} in a child.
 */
class ProfileCommandTest {
    private static final EventHandler NO_OP = (event, index, endOfBatch) -> { };

    @TempDir
    Path dir;

    private RunCommand.Running startServer(String... flags) {
        List<String> args = new java.util.ArrayList<>(List.of("--port", "0", "--admin-port", "0", "--durability",
            "memory", "--cpus", "none"));
        args.addAll(List.of(flags));
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(args.toArray(String[]::new));
        return run.start(NO_OP);
    }

    @Test
    void profileFetchesAFlamegraphFromTheAdminPortAndNeedsTheTokenWhenTheServerHasOne() throws Exception {
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "s3cret\n");
        try (RunCommand.Running running = startServer("--token-file", tokenFile.toString())) {
            String adminPort = String.valueOf(running.node().adminPort());
            Path out = dir.resolve("profile");

            CliRun refused = CliRun.of("profile", "--admin-port", adminPort, "--duration", "200ms", "--out", out.toString());
            assertThat(refused.status()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).contains("HTTP 401", "Authorization: Bearer");
            assertThat(out).doesNotExist();

            Path wrong = dir.resolve("wrong");
            Files.writeString(wrong, "guess");
            assertThat(CliRun.of("profile", "--admin-port", adminPort, "--duration", "200ms", "--out", out.toString(),
                "--token-file", wrong.toString()).err()).contains("HTTP 401");

            CliRun done = CliRun.of("profile", "--admin-port", adminPort, "--duration", "500ms", "--event", "wall",
                "--out", out.toString(), "--token-file", tokenFile.toString());
            assertThat(done.status()).as(done.toString()).isZero();
            assertThat(done.out()).contains("event=wall requested=wall samples=");
            assertThat(Files.readString(out.resolve("flame-wall.html"), StandardCharsets.UTF_8)).startsWith("<!DOCTYPE html>");
            assertThat(Files.readAllLines(out.resolve("collapsed-wall.txt"))).isNotEmpty();
        }
    }

    /**
     * A server in a process of its own, profiled first through its admin port: async-profiler is
     * first called on the request's (virtual) thread there, which it cannot start from.
     */
    @Test
    void aServerProcessCanBeProfiledOverItsAdminPort() throws Exception {
        Path out = dir.resolve("child-profile");
        try (CliProcess server = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--durability", "memory",
                "--cpus", "none")) {
            server.awaitReady(Duration.ofSeconds(60));
            String adminPort = server.awaitLine("ferrite listening on ", Duration.ofSeconds(1)).replaceAll(".* admin=", "");
            CliRun done = CliRun.of("profile", "--admin-port", adminPort, "--duration", "300ms", "--event", "cpu",
                "--out", out.toString());
            assertThat(done.status()).as(done.toString()).isZero();
            assertThat(done.out()).contains("requested=cpu samples=");
            assertThat(out.resolve("flame-cpu.html")).exists();
        }
    }

    @Test
    void badProfileRequestsAreAnsweredWithWhatToFix() throws Exception {
        try (RunCommand.Running running = startServer()) {
            String adminPort = String.valueOf(running.node().adminPort());
            CliRun badEvent = CliRun.of("profile", "--admin-port", adminPort, "--event", "heap");
            assertThat(badEvent.status()).isEqualTo(2);
            assertThat(badEvent.err()).contains("not one of cpu, alloc, wall, lock");
            CliRun tooLong = CliRun.of("profile", "--admin-port", adminPort, "--duration", "11m");
            assertThat(tooLong.status()).isEqualTo(2);
            assertThat(tooLong.err()).contains("--duration must be more than 0 and at most 10m");
        }
        CliRun nobody = CliRun.of("profile", "--admin-port", "1", "--duration", "100ms");
        assertThat(nobody.status()).isEqualTo(1);
        assertThat(nobody.err()).contains("no admin port answers at 127.0.0.1:1");
    }

    @Test
    void runWithProfileWritesTheFlamegraphWhenTheServerStops() throws Exception {
        Path out = dir.resolve("run-profile");
        try (CliProcess server = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--durability", "memory",
                "--cpus", "none", "--profile", "cpu", "--profile-out", out.toString())) {
            server.awaitReady(Duration.ofSeconds(60));
            assertThat(server.terminate(Duration.ofSeconds(60))).as(server.output()).isZero();
            assertThat(server.output()).contains("ferrite: profile ", "flame-cpu.html", "stopped cleanly");
        }
        assertThat(Files.readString(out.resolve("flame-cpu.html"), StandardCharsets.UTF_8)).startsWith("<!DOCTYPE html>");
        assertThat(out.resolve("collapsed-cpu.txt")).exists();
    }
}
