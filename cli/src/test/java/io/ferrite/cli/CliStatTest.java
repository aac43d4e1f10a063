package io.ferrite.cli;

import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ferrite stat} against a real {@code ferrite run} in a child JVM: the counters while it
 * runs, live rates with {@code --watch}, the same counters after {@code kill -9} (saying the server
 * died), and "stopped cleanly" after a SIGTERM.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliStatTest {
    private static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void countersAreReadWhileRunningWithRatesAndAfterAKill() throws Exception {
        Path journal = dir.resolve("journal");
        try (CliProcess server = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--journal",
            journal.toString(), "--cpus", "none")) {
            int port = server.awaitReady(START);
            CliRun send = CliRun.of("send", "--port", String.valueOf(port), "--count", "5000", "--size", "32");
            assertThat(send.status()).as("%s", send).isZero();

            String[] running = {""};
            Await.until("stat shows the 5,000 events", Duration.ofSeconds(10), () -> {
                // the file is up to 100 ms behind, and the stage may count an event before the event loop does
                running[0] = stat(journal, "--journal", journal.toString()).out();
                return running[0].matches("(?s).*ferrite_stage_events\\{stage=\"ingest\"} +5,000\n.*")
                    && running[0].matches("(?s).*ferrite_server_events\\{outcome=\"accepted\"} +5,000\n.*")
                    && running[0].matches("(?s).*ferrite_connections_open +0\n.*");
            });
            assertThat(running[0]).contains("pid " + server.pid() + " running")
                .containsPattern("ferrite_events_journaled +5,000\n")
                .containsPattern("ferrite_server_events\\{outcome=\"accepted\"} +5,000\n")
                .containsPattern("ferrite_connections_open +0\n");

            CliRun watch = stat(journal, "--journal", journal.toString(), "--watch", "--interval", "200ms", "--samples", "2");
            assertThat(watch.out().split("pid " + server.pid(), -1)).as("two samples: %s", watch.out()).hasSize(3);
            assertThat(watch.out()).containsPattern("ferrite_events_journaled +5,000  0/s\n");

            server.kill();
            CliRun afterKill = stat(journal, "--journal", journal.toString());
            assertThat(afterKill.out()).contains("pid " + server.pid() + " not running and did not stop cleanly")
                .containsPattern("ferrite_events_journaled +5,000\n")
                .containsPattern("ferrite_server_events\\{outcome=\"accepted\"} +5,000\n");
        }
        try (CliProcess again = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--journal",
            journal.toString(), "--cpus", "none")) {
            again.awaitReady(START);
            assertThat(again.terminate(Duration.ofSeconds(30))).isZero();
            CliRun afterStop = stat(journal, "--journal", journal.toString());
            assertThat(afterStop.out()).contains("pid " + again.pid() + " stopped cleanly")
                .containsPattern("ferrite_events_journaled +5,000\n") // the journal's next index: it kept them
                .containsPattern("ferrite_server_events\\{outcome=\"accepted\"} +0\n");
        }
    }

    @Test
    void aDirectoryWithoutCountersIsAClearError() {
        CliRun run = CliRun.of("stat", "--journal", dir.resolve("nothing-here").toString());
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("counters.dat").contains("no counters file");
    }

    private static CliRun stat(Path journal, String... args) {
        CliRun run = CliRun.of(Stream.concat(Stream.of("stat"), Arrays.stream(args)).toArray(String[]::new));
        assertThat(run.status()).as("%s", run).isZero();
        return run;
    }
}
