package io.ferrite.bench.state;

import io.ferrite.engine.state.DedupTable;
import io.ferrite.engine.state.DedupWindow;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The dedup window in steady state, as the sequencer drives it: a full window of {@code entries}
 * ids takes batches of {@value #BATCH} new ids (each looked up and inserted), then evicts as many
 * of its oldest — beside Agrona's {@code Long2LongHashMap} with a {@code LongArrayQueue} for the
 * eviction order (a well-kept primitive map doing the same job). One op is one id.
 *
 * <ul>
 *   <li>{@code ids=sequential}: ids numbered by their producer (1, 2, 3, ...);</li>
 *   <li>{@code ids=random}: 64-bit random ids (UUID-like).</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class DedupWindowBenchmark {
    static final int BATCH = 512;

    @Param({"1048576"})
    public int entries;

    @Param({"sequential", "random"})
    public String ids;

    private DedupWindow window;
    private Long2LongHashMap map;
    private LongArrayQueue order;
    private final long[] batchIds = new long[BATCH];
    private SplittableRandom random;
    private long next = 1;
    private long index;

    @Setup(Level.Trial)
    public void fill() {
        random = new SplittableRandom(7);
        window = new DedupWindow(entries, TimeUnit.HOURS.toNanos(1), 16_384);
        map = new Long2LongHashMap(entries * 2, 0.55f, -1);
        order = new LongArrayQueue(entries + BATCH, Long.MIN_VALUE);
        for (int i = 0; i < entries; i++) {
            long id = nextId();
            if (i % BATCH == 0) {
                window.evict(0);
                window.mark();
            }
            window.putIfAbsent(id, index, 0);
            map.put(id, index);
            order.addLong(id);
            index++;
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        window.close();
    }

    private long nextId() {
        return "random".equals(ids) ? random.nextLong() | 1 : next++;
    }

    private void nextBatch() {
        for (int i = 0; i < BATCH; i++) {
            batchIds[i] = nextId();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ferrite() {
        nextBatch();
        long found = window.prefetch(batchIds, BATCH);
        window.mark();
        for (int i = 0; i < BATCH; i++) {
            found += window.putIfAbsent(batchIds[i], index++, 0);
        }
        window.evict(0);
        return found;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long agronaMapAndQueue() {
        nextBatch();
        long found = 0;
        for (int i = 0; i < BATCH; i++) {
            long id = batchIds[i];
            long existing = map.get(id);
            if (existing == -1) {
                map.put(id, index++);
                order.addLong(id);
            }
            found += existing;
        }
        while (order.size() > entries) {
            map.remove(order.pollLong());
        }
        return found;
    }

    /** A guard for the DedupTable's home function in the report: ids that are not found. */
    static boolean absent(long result) {
        return result == DedupTable.ABSENT;
    }
}
