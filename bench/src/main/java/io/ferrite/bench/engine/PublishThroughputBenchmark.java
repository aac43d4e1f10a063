package io.ferrite.bench.engine;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * (a) Embedded publish to one consumer, in memory, 64-byte payload: events per second end to end.
 *
 * <p>One invocation publishes {@value #BATCH} events (waiting out back pressure, none expected:
 * the batch is below every ring's {@value EventPipe#CAPACITY}) and returns only when the consumer
 * has counted all of them, so the score is the rate at which events are <em>handled</em>, not
 * merely accepted; one op is one event. The per-batch drain at the end is part of the time (a few
 * microseconds per 10 000 events). A consumer that skipped, duplicated or corrupted an event
 * fails the trial's checksum.
 *
 * <ul>
 *   <li>{@code ferrite-memory}: {@code Durability.MEMORY}, one stage, {@code IdleKind.YIELD},
 *       dedup off (eventId 0);</li>
 *   <li>{@code ferrite-memory-dedup}: the same with the default dedup window (1M ids, its janitor
 *       thread following the ring) and a unique eventId per event;</li>
 *   <li>{@code disruptor}: Disruptor 4.0.0, {@code ProducerType.SINGLE}, {@code YieldingWaitStrategy};</li>
 *   <li>{@code disruptor-multi}: the same with {@code ProducerType.MULTI} (Ferrite's publish is
 *       multi-producer safe, so this is the like-for-like claim);</li>
 *   <li>{@code abq}: {@code ArrayBlockingQueue} put/take to one consumer thread.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class PublishThroughputBenchmark extends PipeState {
    static final int BATCH = 10_000;

    @Param({"ferrite-memory", "ferrite-memory-dedup", "disruptor", "disruptor-multi", "abq"})
    public String pipe;

    @Override
    String pipe() {
        return pipe;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long publishBatch() {
        return publishBatchAndWait(BATCH);
    }
}
