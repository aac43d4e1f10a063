package io.ferrite.bench.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The enrichment cache's choice: Caffeine (W-TinyLFU, what {@code use: enrich} uses) against a
 * plain LRU ({@code LinkedHashMap} in access order) of the same size, on a Zipf-skewed trace of
 * keys (100,000 distinct, exponent 0.99, cache of 10,000): {@code hits} and {@code misses} are
 * counted per operation (the hit rate is hits / (hits + misses)), a miss loads the value and puts it.
 * Also Caffeine's hit path alone, probed with a reused key as the stage does (target ≥ 5 M/s).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class EnrichmentCacheBenchmark {
    private static final int DISTINCT = 100_000;
    private static final int SIZE = 10_000;
    private static final int TRACE = 1 << 20;

    private final long[] trace = new long[TRACE];
    private int next;
    private Cache<Long, String> caffeine;
    private Map<Long, String> lru;
    private Cache<Long, String> warm;
    private final long[] hot = new long[1_024];

    /** Hits and misses of the measured operations. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Outcomes {
        public long hits;
        public long misses;

        @Setup(Level.Iteration)
        public void clear() {
            hits = 0;
            misses = 0;
        }
    }

    @Setup
    public void setUp() {
        double[] cumulative = new double[DISTINCT];
        double sum = 0;
        for (int k = 0; k < DISTINCT; k++) {
            sum += 1 / Math.pow(k + 1, 0.99);
            cumulative[k] = sum;
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < TRACE; i++) {
            double u = random.nextDouble() * sum;
            int lo = 0;
            int hi = DISTINCT - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] < u) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            trace[i] = lo * 2_654_435_761L; // spread the ranks over the key space
        }
        caffeine = Caffeine.newBuilder().maximumSize(SIZE).executor(Runnable::run).build();
        lru = new LinkedHashMap<>(SIZE * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
                return size() > SIZE;
            }
        };
        warm = Caffeine.newBuilder().maximumSize(SIZE).build();
        for (int i = 0; i < hot.length; i++) {
            hot[i] = i;
            warm.put((long) i, "value-" + i);
        }
    }

    @Benchmark
    @OperationsPerInvocation(1_024)
    public void caffeineZipf(Outcomes outcomes) {
        for (int i = 0; i < 1_024; i++) {
            Long key = trace[next++ & (TRACE - 1)];
            if (caffeine.getIfPresent(key) != null) {
                outcomes.hits++;
            } else {
                outcomes.misses++;
                caffeine.put(key, "value");
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(1_024)
    public void lruZipf(Outcomes outcomes) {
        for (int i = 0; i < 1_024; i++) {
            Long key = trace[next++ & (TRACE - 1)];
            if (lru.get(key) != null) {
                outcomes.hits++;
            } else {
                outcomes.misses++;
                lru.put(key, "value");
            }
        }
    }

    /** Hits only (the stage's fast path): 1,024 keys all present. */
    @Benchmark
    @OperationsPerInvocation(1_024)
    public int caffeineHits() {
        int found = 0;
        for (long key : hot) {
            if (warm.getIfPresent(key) != null) {
                found++;
            }
        }
        return found;
    }
}
