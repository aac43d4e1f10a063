package io.ferrite.cli;

import io.ferrite.cli.load.LoadConfig;
import io.ferrite.cli.load.LoadGenerator;
import io.ferrite.cli.load.LoadProgress;
import io.ferrite.cli.load.Summary;
import io.ferrite.client.ClientConfig;
import io.ferrite.testing.FaultSuite;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ten times the server's capacity, held (the overload fault): {@code ferrite run} in a
 * child JVM whose one stage handles {@value #CAPACITY} events a second ({@link ThrottledRunMain}),
 * offered {@value #OFFERED}/s open loop for 6 s (60 s in the long form) with {@code --backpressure
 * block} and with {@code reject}. Held: every event sent is ACKed or REJECTed (none lost, no
 * connection error), the server goes on at its capacity, {@code /health} answers throughout, its
 * anonymous memory (heap and direct buffers; the journal's mapped file pages are counted apart)
 * stops growing, and afterwards the ACK latency at a tenth of capacity comes back to what it was
 * before. (ACKs come at the journal append: events arriving slower than the stage drains its backlog
 * are ACKed at once, while the stage works through the backlog at its own pace.)
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CliOverloadTest {
    private static final int CAPACITY = 20_000;
    private static final int OFFERED = 10 * CAPACITY;
    private static final int LIGHT = CAPACITY / 10;
    private static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"block", "reject"})
    void tenTimesCapacityIsHeldWithNothingLostMemoryBoundedAndLatencyRecovering(String backpressure) throws Exception {
        int overloadSeconds = FaultSuite.pick(6, 60);
        try (CliProcess server = CliProcess.startMain(ThrottledRunMain.class, String.valueOf(CAPACITY),
            "--port", "0", "--admin-port", "0", "--journal", dir.resolve("journal").toString(), "--cpus", "none",
            "--backpressure", backpressure)) {
            String ready = server.awaitLine("ready port=", START);
            int port = Integer.parseInt(ready.replaceAll("ready port=(\\d+) .*", "$1"));
            int adminPort = Integer.parseInt(ready.replaceAll(".* admin=(\\d+)", "$1"));

            Summary before = load(port, LIGHT, Duration.ofSeconds(2), Duration.ofSeconds(3), null);
            assertThat(before.acked()).as("before: %s", before.line()).isEqualTo(before.sent());

            Sampler sampler = new Sampler(server.pid(), adminPort);
            Summary overload;
            try {
                overload = load(port, OFFERED, Duration.ZERO, Duration.ofSeconds(overloadSeconds), null);
            } finally {
                sampler.stop();
            }
            List<LoadProgress> recoveryProgress = new ArrayList<>();
            Summary after = load(port, LIGHT, Duration.ZERO, Duration.ofSeconds(6), recoveryProgress);

            double acceptedRate = overload.acked() / overload.seconds();
            long threshold = 3 * before.p99Micros() + 5_000;
            double recoveredAfter = recoveredAfterSeconds(recoveryProgress, threshold);
            System.out.printf(Locale.ROOT, "overload %s: offered %d/s for %d s against a %d/s stage: sent %,d, acked %,d"
                    + " (%.0f/s), rejected %,d, errors %d; RssAnon %d -> %d MiB (max %d, first half max %d), RssFile max %d"
                    + " MiB; /health slowest %d ms; p99 at %d/s before %d us, after %d us; interval p99 under %d us again"
                    + " %.1f s after the overload%n",
                backpressure, OFFERED, overloadSeconds, CAPACITY, overload.sent(), overload.acked(), acceptedRate,
                overload.rejected(), overload.errors(), sampler.anonFirst() >> 20, sampler.anonLast() >> 20,
                sampler.anonMax() >> 20, sampler.anonFirstHalfMax() >> 20, sampler.fileMax() >> 20,
                sampler.slowestHealthMillis(), LIGHT, before.p99Micros(), after.p99Micros(), threshold, recoveredAfter);

            assertThat(overload.errors()).as("no connection failed: %s", overload.line()).isZero();
            assertThat(overload.acked() + overload.rejected()).as("nothing lost: %s", overload.line())
                .isEqualTo(overload.sent());
            assertThat(acceptedRate).as("the server went on at its capacity").isGreaterThan(CAPACITY * 0.5);
            if (backpressure.equals("block")) {
                assertThat(overload.rejected()).isZero();
            } else {
                assertThat(overload.rejected()).as("refused with OVERLOADED").isGreaterThan(overload.acked());
            }
            assertThat(sampler.healthFailures()).as("/health answered throughout").isZero();
            assertThat(sampler.slowestHealthMillis()).isLessThan(2_000);
            assertThat(sampler.anonMax()).as("anonymous memory bounded").isLessThan(1_500L << 20);
            assertThat(sampler.anonMax()).as("no growth in the second half of the overload")
                .isLessThanOrEqualTo(sampler.anonFirstHalfMax() + (96L << 20));
            assertThat(after.acked()).as("after: %s", after.line()).isEqualTo(after.sent());
            assertThat(recoveredAfter).as("latency back under %d us after the overload (progress %s)", threshold,
                recoveryProgress).isLessThan(5.0);
            assertThat(server.output()).doesNotContain("Exception");
        }
    }

    /** Open loop at {@code rate} for {@code warmup} (not measured), then {@code duration}; then waits for the last ACKs. */
    private static Summary load(int port, int rate, Duration warmup, Duration duration, List<LoadProgress> progress)
        throws Exception {
        ClientConfig client = ClientConfig.builder("127.0.0.1", port).clientName("overload").reconnect(false).build();
        LoadConfig config = LoadConfig.of(client, Long.MAX_VALUE / 4, rate, 64, 1)
            .withAckTimeout(Duration.ofSeconds(30)).withProgressInterval(Duration.ofMillis(500)).withWarmup(warmup);
        LoadGenerator generator = new LoadGenerator(config);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            timer.schedule(generator::stop, warmup.plus(duration).toMillis(), TimeUnit.MILLISECONDS);
            return generator.run(sample -> {
                if (progress != null) {
                    progress.add(sample);
                }
            });
        } finally {
            timer.shutdownNow();
        }
    }

    /** Seconds into the recovery run of the first half-second interval whose p99 is under {@code threshold} µs. */
    private static double recoveredAfterSeconds(List<LoadProgress> progress, long threshold) {
        for (LoadProgress sample : progress) {
            if (sample.p99Micros() > 0 && sample.p99Micros() <= threshold) {
                return sample.seconds();
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /**
     * Samples the server process's memory from {@code /proc} and times a {@code GET /health}, every
     * 250 ms.
     */
    private static final class Sampler {
        private final Path status;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private final URI health;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final List<long[]> samples = new ArrayList<>();
        private final AtomicLong slowestHealth = new AtomicLong();
        private final AtomicLong healthFailures = new AtomicLong();

        Sampler(long pid, int adminPort) {
            this.status = Path.of("/proc", String.valueOf(pid), "status");
            this.health = URI.create("http://127.0.0.1:" + adminPort + "/health");
            timer.scheduleAtFixedRate(this::sample, 0, 250, TimeUnit.MILLISECONDS);
        }

        private void sample() {
            try {
                long anon = 0;
                long file = 0;
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("RssAnon:")) {
                        anon = kib(line) << 10;
                    } else if (line.startsWith("RssFile:")) {
                        file = kib(line) << 10;
                    }
                }
                synchronized (samples) {
                    samples.add(new long[] {anon, file});
                }
                long started = System.nanoTime();
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
                slowestHealth.accumulateAndGet((System.nanoTime() - started) / 1_000_000, Math::max);
                if (response.statusCode() != 200) {
                    healthFailures.incrementAndGet();
                }
            } catch (IOException e) {
                healthFailures.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static long kib(String line) {
            return Long.parseLong(line.replaceAll("\\D", ""));
        }

        void stop() throws InterruptedException {
            timer.shutdown();
            timer.awaitTermination(10, TimeUnit.SECONDS);
            http.close();
        }

        private List<long[]> samples() {
            synchronized (samples) {
                assertThat(samples).as("memory samples").hasSizeGreaterThan(4);
                return List.copyOf(samples);
            }
        }

        long anonFirst() {
            return samples().getFirst()[0];
        }

        long anonLast() {
            return samples().getLast()[0];
        }

        long anonMax() {
            return samples().stream().mapToLong(s -> s[0]).max().orElseThrow();
        }

        long anonFirstHalfMax() {
            List<long[]> all = samples();
            return all.subList(0, all.size() / 2).stream().mapToLong(s -> s[0]).max().orElseThrow();
        }

        long fileMax() {
            return samples().stream().mapToLong(s -> s[1]).max().orElseThrow();
        }

        long slowestHealthMillis() {
            return slowestHealth.get();
        }

        long healthFailures() {
            return healthFailures.get();
        }
    }
}
