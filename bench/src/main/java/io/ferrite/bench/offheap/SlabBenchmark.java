package io.ferrite.bench.offheap;

import io.ferrite.offheap.ConcurrentSlabPool;
import io.ferrite.offheap.SingleOwnerSlabPool;
import io.ferrite.offheap.SlabConfig;
import io.ferrite.offheap.SlabPool;
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
import org.openjdk.jmh.annotations.Warmup;

import org.jctools.queues.MpmcArrayQueue;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One allocate + free pair per operation from a single thread: the uncontended cost of the free
 * list. Ferrite's two slab pools beside two peers that pool slot indices the usual way: an
 * {@link ArrayDeque} (single-owner peer) and a JCTools {@link MpmcArrayQueue} (thread-safe peer),
 * both holding pre-boxed indices so the peers do not allocate either. Expect 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SlabBenchmark {
    @Param({"single-owner", "concurrent", "peer-arraydeque", "peer-jctools-mpmc"})
    public String pool;

    private SlabPool slab;
    private ArrayDeque<Integer> dequePeer;
    private MpmcArrayQueue<Integer> mpmcPeer;

    @Setup(Level.Trial)
    public void open() {
        SlabConfig config = SlabConfig.of(128, 1024).withChecked(false);
        switch (pool) {
            case "single-owner" -> slab = new SingleOwnerSlabPool(config);
            case "concurrent" -> slab = new ConcurrentSlabPool(config);
            case "peer-arraydeque" -> dequePeer = new ArrayDeque<>(1024);
            case "peer-jctools-mpmc" -> mpmcPeer = new MpmcArrayQueue<>(1024);
            default -> throw new IllegalArgumentException(pool);
        }
        // Half the slots stay held, so the free list is not trivially at its base.
        for (int i = 512; i < 1024; i++) {
            if (dequePeer != null) {
                dequePeer.add(i);
            } else if (mpmcPeer != null) {
                mpmcPeer.offer(i);
            }
        }
        for (int i = 0; slab != null && i < 512; i++) {
            slab.allocate();
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
        if (dequePeer != null) {
            Integer slot = dequePeer.poll();
            dequePeer.push(slot);
            return slot;
        }
        Integer slot = mpmcPeer.relaxedPoll();
        mpmcPeer.relaxedOffer(slot);
        return slot;
    }
}
