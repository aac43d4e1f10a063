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
 * (c) A three-stage pipeline, in memory, 64-byte payload: events per second through all three,
 * measured as in {@link PublishThroughputBenchmark} (a batch of {@value #BATCH}, returning when the
 * <em>third</em> stage has counted all of it; every stage's count and checksum is checked at the
 * end).
 *
 * <ul>
 *   <li>{@code ferrite-fused}: three stages, {@code StageThreading.FUSED} (one thread runs the
 *       three duty cycles in turn);</li>
 *   <li>{@code ferrite-separate}: {@code StageThreading.SEPARATE} (a thread per stage: four busy
 *       threads on two cores);</li>
 *   <li>{@code disruptor-chain}: {@code handleEventsWith(a).then(b).then(c)}, a thread per handler;</li>
 *   <li>{@code disruptor-one-thread}: one processor calling a, b, c for each event (FUSED's peer).</li>
 * </ul>
 * All consumers idle with yield ({@code IdleKind.YIELD}, {@code YieldingWaitStrategy}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class PipelineThroughputBenchmark extends PipeState {
    static final int BATCH = 10_000;

    @Param({"ferrite-fused", "ferrite-separate", "disruptor-chain", "disruptor-one-thread"})
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
