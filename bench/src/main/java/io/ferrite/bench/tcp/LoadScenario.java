package io.ferrite.bench.tcp;

import io.ferrite.bench.suite.LatencySummary;
import io.ferrite.bench.suite.Metric;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.TrialResult;
import io.ferrite.cli.load.LoadConfig;
import io.ferrite.cli.load.LoadGenerator;
import io.ferrite.cli.load.Summary;
import io.ferrite.client.ClientConfig;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * TCP ingest over 127.0.0.1 with the real {@code ferrite send} machinery ({@link LoadGenerator},
 * one {@code FerriteClient} and sender thread per connection), 64-byte payloads, against an
 * {@link IngestTarget}. With rate 0 the senders go as fast as the ACK window allows for the trial's
 * duration (maximum throughput); with a rate they send {@code rate × duration} events open loop,
 * and latency is ACK time minus intended send time (coordinated omission corrected). A fixed-rate
 * trial that falls behind is cut at three times its duration and reports the rate it reached. The
 * trial's latency is the generator's whole corrected histogram, not only its five summary figures.
 *
 * <p>Thread-safety: single-threaded (the runner's); the generator runs its own threads inside {@link #run}.
 */
public final class LoadScenario implements Scenario {
    static final int PAYLOAD = 64;
    private static final int BEHIND_FACTOR = 3;

    private final String name;
    private final String group;
    private final String description;
    private final List<String> peers;
    private final double rate;
    private final int connections;
    private final Supplier<IngestTarget> opener;
    private final String unavailable;
    private IngestTarget target;

    LoadScenario(String name, String group, String description, List<String> peers, double rate, int connections,
                 Supplier<IngestTarget> opener, String unavailable) {
        this.name = name;
        this.group = group;
        this.description = description;
        this.peers = List.copyOf(peers);
        this.rate = rate;
        this.connections = connections;
        this.opener = opener;
        this.unavailable = unavailable;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String group() {
        return group;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Metric metric() {
        return rate > 0 ? Metric.P99_MICROS : Metric.THROUGHPUT;
    }

    @Override
    public List<String> peers() {
        return peers;
    }

    @Override
    public String unavailableReason() {
        return unavailable;
    }

    @Override
    public void open() {
        target = opener.get();
    }

    @Override
    public TrialResult run(Duration duration, Duration sample) throws Exception {
        long events = rate > 0 ? Math.max(connections, Math.round(rate * duration.toNanos() / 1e9)) : Long.MAX_VALUE / 4;
        LoadConfig config = LoadConfig.of(ClientConfig.builder("127.0.0.1", target.port()).clientName("ferrite-bench")
                    .tls(target.clientTls()).build(),
                events, rate, PAYLOAD, connections)
            .withProgressInterval(sample)
            .withAckTimeout(Duration.ofSeconds(30));
        LoadGenerator generator = new LoadGenerator(config);
        double[] timeline = new double[1 + (int) (BEHIND_FACTOR * duration.toNanos() / sample.toNanos())];
        int[] samples = new int[1];
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        Summary summary;
        // The clock starts at the first progress report (one sample after sending began), not before the
        // connections are made: connecting can take longer than a short trial.
        long stopAfter = Math.max(0, (rate > 0 ? BEHIND_FACTOR * duration.toNanos() : duration.toNanos()) - sample.toNanos());
        try {
            summary = generator.run(progress -> {
                if (samples[0] == 0) {
                    timer.schedule(generator::stop, stopAfter, TimeUnit.NANOSECONDS);
                }
                if (samples[0] < timeline.length) {
                    timeline[samples[0]++] = progress.rate();
                }
            });
        } finally {
            timer.shutdownNow();
        }
        if (summary.errors() > 0 || summary.acked() + summary.rejected() != summary.sent() || summary.acked() == 0) {
            throw new IllegalStateException(name + " lost events: " + summary.line());
        }
        String lag = target.stageLag();
        if (lag != null) {
            System.out.printf("  %s: at the trial's end %s%n", name, lag);
        }
        return TrialResult.of(summary.acked(), summary.seconds(), LatencySummary.ofNanos(summary.latencyNanos()),
            Arrays.copyOf(timeline, samples[0]), sample.toNanos() / 1e9);
    }

    @Override
    public void close() {
        if (target != null) {
            target.close();
            target = null;
        }
    }
}
