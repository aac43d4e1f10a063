package io.ferrite.bench.suite;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Samples a completion counter on a daemon thread every interval and turns the differences into
 * events per second: the throughput-over-time series of one trial.
 *
 * <p>Thread-safety: {@link #start} and {@link #stop} from one thread; the counter is read from the
 * sampler thread, so it must be safe to read from any thread.
 */
public final class Sampler {
    private final LongSupplier completed;
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private double[] rates = new double[64];
    private int count;

    private Sampler(LongSupplier completed, long intervalNanos) {
        this.completed = completed;
        this.intervalNanos = intervalNanos;
        this.thread = Thread.ofPlatform().daemon().name("bench-sampler").unstarted(this::loop);
    }

    /** Starts sampling {@code completed} now. */
    public static Sampler start(LongSupplier completed, Duration interval) {
        Sampler sampler = new Sampler(completed, Math.max(1_000_000, interval.toNanos()));
        sampler.thread.start();
        return sampler;
    }

    /** Stops sampling and returns the rates of the complete intervals. */
    public double[] stop() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join();
        return Arrays.copyOf(rates, count);
    }

    private void loop() {
        long last = completed.getAsLong();
        long next = System.nanoTime() + intervalNanos;
        while (running) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            long now = completed.getAsLong();
            if (count == rates.length) {
                rates = Arrays.copyOf(rates, count * 2);
            }
            rates[count++] = (now - last) * 1e9 / intervalNanos;
            last = now;
            next += intervalNanos;
        }
    }
}
