package io.ferrite.engine.metrics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps a {@link CountersFile} current: a daemon thread ({@code ferrite-counters}) that updates it
 * every interval. Parks between updates; an update reads each metric once, without allocating.
 *
 * <p>Thread-safety: start and close from one thread.
 */
public final class CountersPublisher implements AutoCloseable {
    private final CountersFile file;
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean running = true;

    private CountersPublisher(CountersFile file, Duration interval) {
        this.file = file;
        this.intervalNanos = interval.toNanos();
        this.thread = Thread.ofPlatform().daemon().name("ferrite-counters").start(this::run);
    }

    /** Creates the file in {@code directory} and starts updating it every {@code interval}. */
    public static CountersPublisher start(MetricRegistry registry, Path directory, int maxCounters, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("counters interval must be positive, was " + interval);
        }
        return new CountersPublisher(CountersFile.create(registry, directory, maxCounters), interval);
    }

    public Path path() {
        return file.path();
    }

    private void run() {
        while (running) {
            file.update();
            LockSupport.parkNanos(intervalNanos);
        }
    }

    /** Stops the thread, then writes the final values and marks the file closed. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        file.close();
    }
}
