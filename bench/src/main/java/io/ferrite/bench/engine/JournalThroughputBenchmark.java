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
 * (b) Journaled publish to one consumer: events per second end to end, measured as in
 * {@link PublishThroughputBenchmark} (a batch of {@value #BATCH}, returning when the consumer has
 * counted all of it; one op is one event).
 *
 * <ul>
 *   <li>{@code ferrite-async}: {@code Durability.ASYNC} (Chronicle Queue journal in a fresh
 *       directory under {@code java.io.tmpdir}, deleted after the fork), one stage reading it with a
 *       tailer, {@code IdleKind.YIELD}, dedup off;</li>
 *   <li>{@code ferrite-async-metrics-off}: the same without the counters file (what metrics cost);</li>
 *   <li>{@code chronicle-tailer}: raw Chronicle Queue, same roll cycle and sync mode, 112-byte
 *       documents (Ferrite's record size), one tailer thread (see {@link ChronicleTailerPipe}).</li>
 * </ul>
 * The consumer-less raw append rate is {@link ChronicleAppendBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class JournalThroughputBenchmark extends PipeState {
    static final int BATCH = 10_000;

    @Param({"ferrite-async", "ferrite-async-metrics-off", "chronicle-tailer"})
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
