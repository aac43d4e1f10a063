package io.ferrite.bench.engine;

import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * (a) Latency of one event, publish → handled, in memory, 64-byte payload, one consumer.
 *
 * <p>One invocation publishes one event and spins until the consumer has counted it; JMH
 * {@code SampleTime} times invocations, so a sample is a round trip: publish, hand-off, handle,
 * and the consumer's count reaching the publisher's core. Nothing else is in flight, so this is
 * the unloaded latency (no queueing; a closed loop, so no coordinated-omission correction is
 * needed or made). Consumers idle with yield (Ferrite {@code IdleKind.YIELD}, Disruptor
 * {@code YieldingWaitStrategy}); the {@code ArrayBlockingQueue} consumer parks in {@code take()},
 * so each of its samples includes a wake-up.
 *
 * <p>For Ferrite the engine's own {@code LatencyRecorder} (one-way, publish stamp to after the
 * handler, recorded by the stage thread) is printed at the end of each fork, over the last warm-up
 * iteration and the measurement iterations: it should sit below the round trip.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class PublishLatencyBenchmark extends PipeState {
    @Param({"ferrite-memory", "disruptor", "abq"})
    public String pipe;

    /** The engine's histogram near the end of warm-up, subtracted from the final one. */
    private Histogram warmupLatency;
    private int warmupsDone;

    @Override
    String pipe() {
        return pipe;
    }

    @Benchmark
    public long roundTrip() {
        return publishOneAndWait();
    }

    /**
     * Remembers the engine's histogram after the next-to-last warm-up iteration. Not after the
     * last: taking a snapshot copies histograms (allocates), and JMH's GC profiler counts what an
     * iteration's tear-down allocates into the next iteration, which must not be a measured one.
     */
    @TearDown(Level.Iteration)
    public void snapshotDuringWarmup(IterationParams iteration) {
        if (iteration.getType() == IterationType.WARMUP && events instanceof FerritePipe ferrite
            && ++warmupsDone == Math.max(1, iteration.getCount() - 1)) {
            warmupLatency = ferrite.latency();
        }
    }

    @TearDown(Level.Trial)
    public void printEngineLatency() {
        if (events instanceof FerritePipe ferrite && warmupLatency != null) {
            Histogram measured = ferrite.latency();
            measured.subtract(warmupLatency);
            System.out.println(String.format(Locale.ROOT,
                "ferrite LatencyRecorder stage-0 publish->handled (last warm-up + measurement): count=%d p50=%d p90=%d "
                    + "p99=%d p99.9=%d p99.99=%d max=%d ns",
                measured.getTotalCount(), measured.getValueAtPercentile(50), measured.getValueAtPercentile(90),
                measured.getValueAtPercentile(99), measured.getValueAtPercentile(99.9),
                measured.getValueAtPercentile(99.99), measured.getMaxValue()));
        }
    }
}
