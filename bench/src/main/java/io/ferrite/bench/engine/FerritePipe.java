package io.ferrite.bench.engine;

import io.ferrite.affinity.CpuLayout;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;
import io.ferrite.engine.IdleKind;
import io.ferrite.engine.PublishResult;
import io.ferrite.engine.StageThreading;
import org.HdrHistogram.Histogram;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Ferrite embedded: {@link Engine#publish} of a 64-byte off-heap payload into an engine of
 * {@code stages} counting stages. Stage threads idle with {@link IdleKind#YIELD} (Agrona's
 * yielding strategy: the peer of the Disruptor's {@code YieldingWaitStrategy}), nothing is pinned
 * ({@code CpuLayout.none()}: two cores cannot hold a pinned thread each plus the publisher).
 *
 * <p>Dedup: off by default (events carry eventId 0, so publish would skip the window anyway, but a
 * configured window also starts the dedup janitor thread, which follows the journal). With
 * {@code dedup} the builder's default window is kept and every event gets a unique eventId, as a
 * real producer would send.
 *
 * <p>SYNC: {@link Engine#publish} would wait for the msync covering each event, so one publisher
 * would measure msync latency, not throughput. Events are offered instead ({@link Engine#offer},
 * as the TCP transport does) and {@link #awaitHandled} also waits until the engine's durable gate
 * has passed the last one: a batch counts once all of it is on disk.
 *
 * <p>Thread-safety: publish from one thread; see {@link EventPipe}.
 */
final class FerritePipe implements EventPipe {
    /** The sequence number: the first payload long, native order (what {@link EventView#payloadLong} reads). */
    private static final ValueLayout.OfLong SEQUENCE = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final int TYPE = 7;

    private final Engine engine;
    private final HandledCounter[] counters;
    private final HandledCounter last;
    private final boolean dedup;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment payload = arena.allocate(PAYLOAD_LENGTH, 8);
    private final boolean sync;
    private long lastIndex = -1;

    /**
     * @param journal a directory for the journal, checkpoints and dead letters; required unless
     *                {@code durability} is MEMORY (then null)
     */
    FerritePipe(Durability durability, int stages, StageThreading threading, boolean dedup, Path journal) {
        this(durability, stages, threading, dedup, journal, true);
    }

    /**
     * @param countersFile whether the engine mirrors its metrics into {@code counters.dat} (what
     *                     {@code ferrite stat} reads; on by default); off only to measure its cost
     */
    FerritePipe(Durability durability, int stages, StageThreading threading, boolean dedup, Path journal,
                boolean countersFile) {
        this.dedup = dedup;
        this.sync = durability == Durability.SYNC;
        this.counters = new HandledCounter[stages];
        EngineBuilder builder = Engine.builder()
            .durability(durability)
            .journal(journal)
            .threading(threading)
            .idle(IdleKind.YIELD)
            .cpuLayout(CpuLayout.none())
            .capacity(CAPACITY)
            .countersFile(countersFile);
        if (!dedup) {
            builder.dedupWindow(0, Duration.ofMinutes(10));
        }
        for (int k = 0; k < stages; k++) {
            counters[k] = new HandledCounter();
            builder.stage("stage-" + k, new CountingHandler(counters[k]));
        }
        this.last = counters[stages - 1];
        this.engine = builder.build();
    }

    @Override
    public void publish(long sequence) {
        payload.set(SEQUENCE, 0, sequence);
        long eventId = dedup ? sequence + 1 : 0;
        int attempt = 0;
        long result;
        while ((result = sync
            ? engine.offer(0, TYPE, sequence, eventId, 0, 0, payload, 0, PAYLOAD_LENGTH)
            : engine.publish(TYPE, sequence, eventId, 0, payload, 0, PAYLOAD_LENGTH)) < 0) {
            if (result != PublishResult.BACK_PRESSURED) {
                throw new IllegalStateException("publish of " + sequence + " answered " + PublishResult.describe(result));
            }
            PublisherIdle.idle(attempt++);
        }
        lastIndex = result;
    }

    @Override
    public long handled() {
        return last.count();
    }

    @Override
    public void awaitHandled(long count) {
        PublisherIdle.awaitCount(last, count);
        if (sync) {
            int attempt = 0;
            while (engine.durableGate() <= lastIndex) {
                PublisherIdle.idle(attempt++);
            }
        }
    }

    /** The first stage's publish-to-handled latency histogram (nanoseconds) since the engine started. */
    Histogram latency() {
        return engine.metrics().stages().getFirst().latency();
    }

    @Override
    public void verifyAndClose(long published) {
        try {
            PublisherIdle.awaitCount(last, published, VERIFY_TIMEOUT_NANOS);
            for (int k = 0; k < counters.length; k++) {
                counters[k].verify("ferrite stage-" + k, published);
            }
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        try {
            engine.close();
        } finally {
            arena.close();
        }
    }

    /** A stage: adds the event's sequence number (first payload long) to its counter. */
    private static final class CountingHandler implements EventHandler {
        private final HandledCounter counter;

        CountingHandler(HandledCounter counter) {
            this.counter = counter;
        }

        @Override
        public void onEvent(EventView event, long index, boolean endOfBatch) {
            counter.handled(event.payloadLong(0));
        }
    }
}
