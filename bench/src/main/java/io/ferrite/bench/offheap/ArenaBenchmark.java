package io.ferrite.bench.offheap;

import io.ferrite.offheap.BumpArena;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.concurrent.TimeUnit;

/**
 * One 64-byte, 8-aligned bump allocation per operation; the arena is reset when full, as a
 * stage resets it per batch. Expect 0 B/op. Peer: the JDK's own bump allocator,
 * {@link SegmentAllocator#slicingAllocator}, which returns a new {@link MemorySegment} per call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ArenaBenchmark {
    private Arena owner;
    private BumpArena arena;
    private MemorySegment peerMemory;
    private SegmentAllocator peer;

    @Setup(Level.Trial)
    public void open() {
        owner = Arena.ofShared();
        arena = new BumpArena(owner.allocate(64 * 1024, 64));
        peerMemory = owner.allocate(64 * 1024, 64);
        peer = SegmentAllocator.slicingAllocator(peerMemory);
    }

    @TearDown(Level.Trial)
    public void close() {
        owner.close();
    }

    @Benchmark
    public long allocate64() {
        long offset = arena.allocate(64, 8);
        if (offset == BumpArena.OVERFLOW) {
            arena.reset();
            offset = arena.allocate(64, 8);
        }
        return offset;
    }

    @Benchmark
    public MemorySegment peerJdkSlicingAllocator() {
        try {
            return peer.allocate(64, 8);
        } catch (IndexOutOfBoundsException full) {
            peer = SegmentAllocator.slicingAllocator(peerMemory);
            return peer.allocate(64, 8);
        }
    }
}
