package io.ferrite.bench.pipeline;

import io.ferrite.bench.suite.LatencySummary;
import io.ferrite.bench.suite.Metric;
import io.ferrite.bench.suite.Sampler;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.TrialResult;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;
import io.ferrite.pipeline.Route;
import io.ferrite.pipeline.RoutedStage;
import io.ferrite.pipeline.lanes.LaneSpec;
import io.ferrite.pipeline.lanes.PriorityLanes;
import org.HdrHistogram.Histogram;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Priority-0 latency, publish to handled, under a flood of priority-3 events. A stage that spends
 * {@value #WORK_NANOS} ns per event (a stand-in for real work) receives one priority-0 event every
 * {@value #URGENT_EVERY_MICROS} µs; with {@code flood}, also a burst of {@value #BURST} priority-3
 * events every {@value #BURST_EVERY_MILLIS} ms: ten times as many as the urgent ones, a backlog
 * that takes the stage {@value #BURST} × {@value #WORK_NANOS} ns to clear. The stage has priority
 * lanes (on its thread, or with a worker thread) or, as the peer, the same handler takes events in
 * journal order.
 * Reports the priority-0 latency; throughput counts every event handled, so the flood's progress
 * shows.
 *
 * <p>Thread-safety: run from the suite runner's thread; the publisher is that thread.
 */
public final class LaneScenario implements Scenario {
    static final long WORK_NANOS = 5_000;
    static final long URGENT_EVERY_MICROS = 200;
    static final int BURST = 500;
    static final long BURST_EVERY_MILLIS = 10;

    /** How the stage takes its events. */
    public enum Mode {
        /** Priority lanes worked by the stage thread between reads (the default). */
        LANES("lanes", "priority lanes on the stage thread"),
        /** Priority lanes with a worker thread of their own. */
        LANES_OWN_THREAD("lanes-own", "priority lanes with a worker thread of their own"),
        /** No lanes: journal order (the peer). */
        FIFO("fifo", "journal order (no lanes)");

        private final String id;
        private final String text;

        Mode(String id, String text) {
            this.id = id;
            this.text = text;
        }
    }

    private final Mode mode;
    private final boolean flood;
    private final MemorySegment payload = MemorySegment.ofArray(new byte[64]);
    private final AtomicLong handled = new AtomicLong();
    private Histogram urgent;
    private Engine engine;
    private long nextId = 1;

    public LaneScenario(Mode mode, boolean flood) {
        this.mode = mode;
        this.flood = flood;
    }

    @Override
    public String name() {
        return "lanes.p0." + (flood ? "flood." : "alone.") + mode.id;
    }

    @Override
    public String group() {
        return "lanes";
    }

    @Override
    public String description() {
        return "priority-0 latency, one per " + URGENT_EVERY_MICROS + " µs, " + WORK_NANOS / 1000 + " µs of work per event"
            + (flood ? ", with " + BURST + " priority-3 events every " + BURST_EVERY_MILLIS + " ms" : ", alone")
            + ", " + mode.text;
    }

    @Override
    public Metric metric() {
        return Metric.P99_MICROS;
    }

    @Override
    public List<String> peers() {
        return flood ? List.of("lanes.p0.alone." + mode.id, "lanes.p0.flood.fifo") : List.of("lanes.p0.alone.fifo");
    }

    @Override
    public void open() {
        EventHandler work = new Work();
        EventHandler stage = mode == Mode.FIFO ? work : new RoutedStage(Route.ALL,
            new PriorityLanes("work", LaneSpec.DEFAULT.withOwnThread(mode == Mode.LANES_OWN_THREAD), work));
        engine = Engine.builder().durability(Durability.MEMORY).memoryRingBytes(64 << 20).stage("work", stage).build();
    }

    @Override
    public TrialResult run(Duration duration, Duration sample) throws InterruptedException {
        Histogram latencies = new Histogram(3_600_000_000_000L, 3);
        urgent = latencies;
        long firstHandled = handled.get();
        Sampler sampler = Sampler.start(handled::get, sample);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long nextUrgent = start;
        long nextBurst = start;
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            if (flood && now >= nextBurst) {
                for (int i = 0; i < BURST; i++) {
                    publish(3);
                }
                nextBurst += BURST_EVERY_MILLIS * 1_000_000;
            }
            if (now >= nextUrgent) {
                publish(0);
                nextUrgent += URGENT_EVERY_MICROS * 1_000;
            }
            LockSupport.parkNanos(Math.max(1, Math.min(nextUrgent, flood ? nextBurst : nextUrgent) - System.nanoTime()));
        }
        long published = nextId - 1;
        while (engine.metrics().stages().getFirst().lag() > 0) {
            LockSupport.parkNanos(100_000); // the trial ends when its events are handled
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] timeline = sampler.stop();
        LatencySummary summary;
        synchronized (latencies) {
            summary = LatencySummary.ofNanos(latencies);
        }
        return TrialResult.of(handled.get() - firstHandled, seconds, summary, timeline, sample.toNanos() / 1e9);
    }

    private void publish(int priority) {
        long id = nextId++;
        while (engine.publish(1, id, id, priority, payload, 0, 64) < 0) {
            Thread.onSpinWait(); // back-pressured
        }
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /** The stage: spins for the work, records priority-0 latency (its thread is the histogram's one writer). */
    private final class Work implements EventHandler {
        @Override
        public void onEvent(EventView event, long index, boolean endOfBatch) {
            long begin = System.nanoTime();
            while (System.nanoTime() - begin < WORK_NANOS) {
                Thread.onSpinWait();
            }
            if (event.priority() == 0) {
                Histogram histogram = urgent;
                synchronized (histogram) { // uncontended but for the report at the trial's end
                    histogram.recordValue(Math.max(0, System.nanoTime() - event.publishNanos()));
                }
            }
            handled.lazySet(handled.get() + 1);
        }
    }
}
