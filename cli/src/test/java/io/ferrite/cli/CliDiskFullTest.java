package io.ferrite.cli;

import io.ferrite.client.ClientConfig;
import io.ferrite.client.ClientListener;
import io.ferrite.client.ClientResult;
import io.ferrite.client.FerriteClient;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full disk, for real: {@code ferrite run} journals onto a 48 MiB tmpfs (36 MiB of it taken by filler files), a client streams 1 KiB
 * events until the journal cannot take more, space is freed, and the client goes on — three rounds
 * in one server. What must hold in every round: the connection is never reset (the refusal is
 * {@code REJECT JOURNAL_UNAVAILABLE}, code 9), nothing refused is journaled, every event ACKed is
 * journaled (replay) and handled by the stage (the server drains on SIGTERM, promptly), and the
 * server serves again once space is back. With {@code --min-free-mb 8} the free-space guard
 * refuses before the disk is full; with {@code 0} the writes run into the full disk and fault
 * (SIGBUS in the mapped file), the harder case.
 *
 * <p>Needs root to mount the tmpfs (CI runs as root); elsewhere it is skipped, saying so.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CliDiskFullTest {
    private static final int ROUNDS = 3;
    /** Freed one per round: more than twice the guard's reserve, so that it lets writes in again. */
    private static final int FILLER_MIB = 12;
    private static final Pattern EVENT_ID = Pattern.compile("\"eventId\":(\\d+)");

    @TempDir
    Path dir;
    private Path mount;

    @BeforeEach
    void mountTmpfs() throws Exception {
        mount = dir.resolve("disk");
        Files.createDirectories(mount);
        Process mounting = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount.toString())
            .redirectErrorStream(true).start();
        String said = new String(mounting.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        boolean mounted = mounting.waitFor(30, TimeUnit.SECONDS) && mounting.exitValue() == 0;
        Assumptions.assumeTrue(mounted, "skipped: cannot mount a tmpfs here (needs root): " + said);
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "--min-free-mb {0}")
    @ValueSource(ints = {8, 0})
    void aFullDiskIsRefusedPerEventAndEveryAckedEventIsJournaledAndHandled(int minFreeMb) throws Exception {
        List<Path> fillers = new ArrayList<>();
        for (int k = 0; k < ROUNDS; k++) {
            Path filler = mount.resolve("filler-" + k);
            try (RandomAccessFile file = new RandomAccessFile(filler.toFile(), "rw")) {
                file.write(new byte[FILLER_MIB << 20]); // real pages: tmpfs counts them
            }
            fillers.add(filler);
        }
        String journal = mount.resolve("journal").toString();
        Recorder recorder = new Recorder();
        Set<Long> acked = new HashSet<>();
        byte[] payload = new byte[1024];
        long base = System.nanoTime() & ((1L << 40) - 1) | 1L << 42;
        try (CliProcess server = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--journal", journal,
                "--durability", "async", "--min-free-mb", String.valueOf(minFreeMb), "--cpus", "none")) {
            int port = server.awaitReady(Duration.ofSeconds(60));
            int adminPort = Integer.parseInt(server.awaitLine("ferrite listening on ", Duration.ofSeconds(1))
                .replaceAll(".* admin=", ""));
            FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", port).clientName("disk-full")
                .reconnect(false).build(), recorder);
            long next = 0;
            for (int round = 1; round <= ROUNDS; round++) {
                // stream until the journal refuses
                int rejectsBefore = recorder.unavailable.size();
                while (recorder.unavailable.size() == rejectsBefore) {
                    assertThat(next).as("round %d: still no refusal after %d events", round, next).isLessThan(200_000);
                    publish(client, base + ++next, payload);
                    if ((next & 63) == 0) {
                        client.flush();
                        awaitAcked(client, next - 4_096, recorder);
                    }
                }
                client.flush();
                assertThat(client.isConnected()).as("round %d: the connection survived the full disk", round).isTrue();
                assertThat(recorder.otherRejects).as("REJECTs other than JOURNAL_UNAVAILABLE").isEmpty();
                if (minFreeMb > 0) {
                    assertThat(admin(adminPort, "/health")).as("/health while the disk is full").contains("\"DEGRADED\"",
                        "the journal's disk is full");
                    Await.until("round " + round + ": the journal_unavailable alert fires", Duration.ofSeconds(10),
                        () -> admin(adminPort, "/alerts").contains(
                            "\"name\":\"journal_unavailable\",\"severity\":\"critical\",\"state\":\"firing\""));
                }

                Files.delete(fillers.get(round - 1)); // space comes back
                Await.until("round " + round + ": the journal takes events again", Duration.ofSeconds(20), () -> {
                    long correlationId = publish(client, base + client.nextCorrelationId(), payload); // eventId = base + correlationId
                    client.flush();
                    return awaitAckOrRefusal(client, correlationId, recorder);
                }, () -> "refusals so far: " + recorder.unavailable.size());
                next = client.lastPublished();
                long firstOfHundred = next + 1;
                for (int i = 0; i < 100; i++) {
                    publish(client, base + ++next, payload);
                }
                client.flush();
                assertThat(client.awaitAcked(next, Duration.ofSeconds(30))).as("round %d: 100 events after space came back",
                    round).isTrue();
                if (minFreeMb > 0) {
                    int resolvedSoFar = round;
                    Await.until("round " + round + ": the journal_unavailable alert resolved", Duration.ofSeconds(10),
                        () -> admin(adminPort, "/alerts").split("\"alert\":\"journal_unavailable\",\"severity\":"
                            + "\"critical\",\"from\":\"firing\",\"to\":\"resolved\"", -1).length - 1 == resolvedSoFar);
                }
                long lastOfHundred = next;
                assertThat(recorder.refused.stream().filter(c -> c >= firstOfHundred && c <= lastOfHundred).toList())
                    .as("round %d: events refused after space came back", round).isEmpty();
                assertThat(client.isConnected()).isTrue();
            }
            assertThat(client.close(Duration.ofSeconds(30))).isTrue();
            long stopping = System.nanoTime();
            assertThat(server.terminate(Duration.ofSeconds(30))).as("exit status; output:\n%s", server.output()).isZero();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopping)).as("seconds to stop").isLessThan(10);
            assertThat(server.output()).as("every journaled event was handled before the stop")
                .contains("ferrite: stopped cleanly");
        }
        for (long correlationId = 1; correlationId <= recorder.lastAcked; correlationId++) {
            if (!recorder.refused.contains(correlationId)) {
                acked.add(base + correlationId);
            }
        }
        List<Long> journaled = replayEventIds(journal);
        assertThat(new HashSet<>(journaled)).as("no eventId journaled twice").hasSize(journaled.size());
        Set<Long> journaledIds = new HashSet<>(journaled);
        List<Long> lost = acked.stream().filter(id -> !journaledIds.contains(id)).sorted().toList();
        assertThat(lost).as("ACKed events missing from the journal (of %d ACKed)", acked.size()).isEmpty();
        Set<Long> refusedIds = new HashSet<>();
        recorder.refused.forEach(c -> refusedIds.add(base + c));
        assertThat(journaled.stream().filter(refusedIds::contains).toList()).as("refused events in the journal").isEmpty();
        System.out.printf("--min-free-mb %d: %d ACKed and journaled, %d refused with JOURNAL_UNAVAILABLE over %d rounds%n",
            minFreeMb, acked.size(), recorder.refused.size(), ROUNDS);
    }

    /** Publishes, flushing while the window is full; the correlationId. */
    private static long publish(FerriteClient client, long eventId, byte[] payload) {
        while (true) {
            long result = client.publish(1, eventId & 15, eventId, 0, payload);
            if (result > 0) {
                return result;
            }
            assertThat(result).as("publish %d", eventId).isEqualTo(ClientResult.BACK_PRESSURED);
            client.flush();
            Thread.onSpinWait();
        }
    }

    /**
     * Waits until {@code correlationId} is ACKed (true) or refused (false). A REJECT comes before
     * the cumulative ACK that covers the refused event too: once that ACK is seen, so is the refusal.
     */
    private static boolean awaitAckOrRefusal(FerriteClient client, long correlationId, Recorder recorder) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (client.lastAcked() >= correlationId) { // answered; a refusal came before the ACK that covers it
                return !recorder.refused.contains(correlationId);
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("neither ACK nor REJECT for " + correlationId);
    }

    /** Keeps at most a window's worth in flight: waits until everything up to {@code correlationId} is answered. */
    private static void awaitAcked(FerriteClient client, long correlationId, Recorder recorder) throws InterruptedException {
        if (correlationId > 0) {
            assertThat(client.awaitAcked(correlationId, Duration.ofSeconds(30))).as("ACK of %d", correlationId).isTrue();
        }
    }

    /** GET {@code path} on the admin port; an I/O failure reads as an empty answer (for waits). */
    private static String admin(int adminPort, String path) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static List<Long> replayEventIds(String journal) {
        CliRun replay = CliRun.of("replay", "--journal", journal, "--json");
        assertThat(replay.status()).as("%s", replay.err()).isZero();
        List<Long> ids = new ArrayList<>();
        for (String line : replay.out().split("\n")) {
            Matcher matcher = EVENT_ID.matcher(line);
            if (matcher.find()) {
                ids.add(Long.parseUnsignedLong(matcher.group(1)));
            }
        }
        return ids;
    }

    /** REJECTs by kind, and the newest cumulative ACK, as the client's reader thread saw them. */
    private static final class Recorder implements ClientListener {
        final List<Long> unavailable = Collections.synchronizedList(new ArrayList<>());
        final Set<Long> refused = Collections.synchronizedSet(new HashSet<>());
        final List<String> otherRejects = Collections.synchronizedList(new ArrayList<>());
        volatile long lastAcked;

        @Override
        public void onAck(long correlationId, long journalIndex) {
            lastAcked = correlationId;
        }

        @Override
        public void onReject(long correlationId, ErrorCode code, String message) {
            if (code == ErrorCode.JOURNAL_UNAVAILABLE) {
                unavailable.add(correlationId);
                refused.add(correlationId);
            } else {
                otherRejects.add(correlationId + " " + code + " " + message);
            }
        }
    }
}
