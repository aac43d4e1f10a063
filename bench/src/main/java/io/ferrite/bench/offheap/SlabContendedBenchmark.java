package io.ferrite.bench.offheap;

import io.ferrite.offheap.ConcurrentSlabPool;
import io.ferrite.offheap.SlabConfig;
import org.jctools.queues.MpmcArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Two threads allocating and freeing on one shared pool: the contended cost. Ferrite's
 * {@link ConcurrentSlabPool} (tagged Treiber stack) beside a JCTools {@link MpmcArrayQueue} of
 * pre-boxed slot indices. On a 2-core machine both threads get a core each.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(2)
@Fork(1)
public class SlabContendedBenchmark {
    @Param({"concurrent", "peer-jctools-mpmc"})
    public String pool;

    private ConcurrentSlabPool slab;
    private MpmcArrayQueue<Integer> peer;

    @Setup(Level.Trial)
    public void open() {
        if (pool.equals("concurrent")) {
            slab = new ConcurrentSlabPool(SlabConfig.of(128, 1024).withChecked(false));
        } else {
            peer = new MpmcArrayQueue<>(1024);
            for (int i = 0; i < 1024; i++) {
                peer.offer(i);
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        if (slab != null) {
            slab.close();
        }
    }

    @Benchmark
    public int allocateAndFree() {
        if (slab != null) {
            int slot = slab.allocate();
            slab.free(slot);
            return slot;
        }
        Integer slot = peer.poll();
        peer.offer(slot);
        return slot;
    }
}
