package io.ferrite.bench.engine;

import io.ferrite.bench.suite.Metric;
import io.ferrite.bench.suite.Sampler;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.TrialResult;

import java.time.Duration;
import java.util.List;

/**
 * {@code ferrite bench}'s embedded scenarios: one of the JMH benchmarks' pipes (see {@link Pipes}
 * for the names), driven the same way — batches of {@value #BATCH} 64-byte events from this thread,
 * each batch waited for at the last consumer — for a fixed time instead of JMH iterations. The pipe
 * lives from {@link #open} to {@link #close}, where every consumer's count and checksum is checked.
 *
 * <p>Thread-safety: single-threaded (the runner's); the pipe's consumers run on their own threads.
 */
public final class PipeScenario implements Scenario {
    static final int BATCH = 10_000;

    private final String pipe;
    private final String description;
    private final List<String> peers;
    private TempDirectory directory;
    private EventPipe events;
    private long published;

    /**
     * @param pipe  a {@link Pipes} name, e.g. {@code ferrite-memory}
     * @param peers scenario names to report ratios against
     */
    public PipeScenario(String pipe, String description, List<String> peers) {
        this.pipe = pipe;
        this.description = description;
        this.peers = List.copyOf(peers);
    }

    @Override
    public String name() {
        return "embedded." + pipe;
    }

    @Override
    public String group() {
        return "embedded";
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Metric metric() {
        return Metric.THROUGHPUT;
    }

    @Override
    public List<String> peers() {
        return peers;
    }

    @Override
    public void open() {
        directory = new TempDirectory();
        events = Pipes.open(pipe, directory.path());
        published = 0;
    }

    @Override
    public TrialResult run(Duration duration, Duration sample) throws InterruptedException {
        EventPipe pipeUnderTest = events;
        long first = published;
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        Sampler sampler = Sampler.start(pipeUnderTest::handled, sample);
        long end;
        do {
            long target = published + BATCH;
            for (long sequence = published; sequence < target; sequence++) {
                pipeUnderTest.publish(sequence);
            }
            published = target;
            pipeUnderTest.awaitHandled(target);
            end = System.nanoTime();
        } while (end < deadline);
        double[] timeline = sampler.stop();
        return TrialResult.of(published - first, (end - start) / 1e9, null, timeline, sample.toNanos() / 1e9);
    }

    @Override
    public void close() {
        try {
            if (events != null) {
                events.verifyAndClose(published);
            }
        } finally {
            events = null;
            if (directory != null) {
                directory.close();
                directory = null;
            }
        }
    }
}
