package io.ferrite.engine;

import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.DeadLetterJournal;
import io.ferrite.engine.journal.GroupCommitter;
import io.ferrite.engine.journal.Journal;
import io.ferrite.engine.metrics.LatencyRecorder;
import io.ferrite.engine.metrics.MetricRegistry;
import io.ferrite.engine.metrics.StageMetrics;
import io.ferrite.engine.sequencer.EventBatch;
import io.ferrite.engine.sequencer.Sequencer;
import io.ferrite.engine.stage.StageAgent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * Ferrite embedded: publish events from any thread; they are deduplicated (by eventId), journaled
 * under the configured {@link Durability} by the {@link Sequencer}, and handled by the stages in
 * journal order, each stage on one thread. Build one with {@link #builder()}; close it to drain
 * and stop.
 *
 * <p>Publishing never allocates and never throws for data-path outcomes: it returns the journal
 * index (≥ 0) or a {@link PublishResult} code.
 *
 * <p>Thread-safety: {@link #publish}, {@link #offer}, {@link #tryClaim} and {@link #publishBlocking}
 * from any number of threads; {@link #close()} from any thread.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** How publishing threads wait (back pressure, SYNC durability); one per thread, made once. */
    private static final ThreadLocal<IdleStrategy> WAITING = ThreadLocal.withInitial(Engine::newWaitStrategy);

    private final EngineConfig config;
    private final Journal journal;
    private final Sequencer sequencer;
    private final GroupCommitter groupCommitter;
    private final DeadLetterJournal deadLetters;
    private final StageAgent[] stages;
    private final StageAgent lastStage;
    private final List<AgentRunner> stageRunners;
    private final AgentRunner housekeepingRunner;
    private final List<AutoCloseable> resources;
    private final MetricRegistry metricRegistry;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Completed by the first close, normally or with what it threw; later closes wait for it. */
    private final CompletableFuture<CloseReport> closeReport = new CompletableFuture<>();
    /** A further gate on acknowledgements (a stage that forwards events elsewhere), or null; set once before use. */
    private LongSupplier ackGate;

    Engine(EngineConfig config, EngineAssembly.EngineParts parts) {
        this.config = config;
        this.journal = parts.journal();
        this.sequencer = parts.sequencer();
        this.groupCommitter = parts.groupCommitter();
        this.deadLetters = parts.deadLetters();
        this.stages = parts.stages().toArray(StageAgent[]::new);
        this.lastStage = stages[stages.length - 1];
        this.stageRunners = parts.stageRunners();
        this.housekeepingRunner = parts.housekeepingRunner();
        this.resources = parts.resources();
        this.metricRegistry = parts.metrics();
    }

    /** A builder with defaults for a small machine. */
    public static EngineBuilder builder() {
        return new EngineBuilder();
    }

    static Engine start(EngineConfig config) {
        return EngineAssembly.start(config);
    }

    /**
     * Publishes one event with the engine's clock as its timestamp. In SYNC mode it returns once
     * the event is on disk.
     *
     * @return the journal index (≥ 0; for a duplicate eventId, the original's), or
     * {@link PublishResult#BACK_PRESSURED}, {@link PublishResult#CLOSED}, {@link PublishResult#REJECTED},
     * {@link PublishResult#JOURNAL_UNAVAILABLE}
     */
    public long publish(int type, long key, long eventId, int priority, MemorySegment payload, long offset, int length) {
        return publish(0L, type, key, eventId, 0L, priority, payload, offset, length);
    }

    /** Publishes one event carrying a correlationId and producer timestamp (0 = stamp it now); as {@link #publish}. */
    public long publish(long correlationId, int type, long key, long eventId, long timestampNanos, int priority,
                        MemorySegment payload, long offset, int length) {
        long index = offer(correlationId, type, key, eventId, timestampNanos, priority, payload, offset, length);
        if (index >= 0 && groupCommitter != null) {
            awaitDurable(index);
        }
        return index;
    }

    /**
     * Publishes one event without waiting for SYNC durability: the caller checks
     * {@link #durableGate()} before it relies on it.
     *
     * @return as {@link #publish}
     */
    public long offer(long correlationId, int type, long key, long eventId, long timestampNanos, int priority,
                      MemorySegment payload, long offset, int length) {
        return sequencer.append(correlationId, type, key, eventId, timestampNanos, priority, payload, offset, length);
    }

    /**
     * Publishes the events of a network read in one journal batch, without waiting for SYNC
     * durability (the transport checks {@link #durableGate()} before it acknowledges). The caller has
     * validated every frame (FWP/1 checks, priority ≤ 3); outcomes are in the batch.
     *
     * @return events that got an outcome in this call (fewer than offered when the engine is full)
     */
    public int offer(EventBatch batch) {
        return sequencer.append(batch);
    }

    /** Why the journal refuses new events now (its disk is full, or its last write failed), or null. */
    public String journalUnavailableReason() {
        return journal.unavailableReason();
    }

    /**
     * Every event with a journal index below this is durable under the engine's mode: in SYNC
     * mode, msynced; in ASYNC and MEMORY modes, every accepted event ({@link Long#MAX_VALUE}).
     */
    public long durableGate() {
        long journaled = groupCommitter == null ? Long.MAX_VALUE : groupCommitter.durableGate();
        LongSupplier further = ackGate;
        return further == null ? journaled : Math.min(journaled, further.getAsLong());
    }

    /** Set by the builder before the engine is handed out (the start publishes it to every thread). */
    void ackGate(LongSupplier gate) {
        this.ackGate = gate;
    }

    /**
     * Like {@link #publish(int, long, long, int, MemorySegment, long, int)} but waits out
     * back pressure, up to {@code timeout}.
     *
     * @return the index, {@link PublishResult#TIMED_OUT}, or another negative code
     */
    public long publishBlocking(int type, long key, long eventId, int priority, MemorySegment payload, long offset,
                                int length, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        IdleStrategy waiting = WAITING.get();
        waiting.reset();
        while (true) {
            long result = publish(type, key, eventId, priority, payload, offset, length);
            if (result != PublishResult.BACK_PRESSURED) {
                return result;
            }
            if (System.nanoTime() - deadline >= 0) {
                return PublishResult.TIMED_OUT;
            }
            waiting.idle();
        }
    }

    /**
     * Claims journal space for an event of {@code length} payload bytes, to be written in place
     * and then committed through {@code claim} on this thread (publishing is held until then).
     *
     * @return the index the event will have (≥ 0), or a negative {@link PublishResult} code (then
     * {@code claim} is not open); a duplicate eventId returns the original's index and opens nothing
     */
    public long tryClaim(int type, long key, long eventId, int priority, int length, Claim claim) {
        long index = sequencer.claim(0L, type, key, eventId, 0L, priority, length);
        if (index >= 0 && sequencer.claimOpenFor(index)) {
            claim.open(this, index, sequencer.claimedMemory(), sequencer.claimedPayloadOffset(), length);
        }
        return index;
    }

    long commitClaim() {
        long index = sequencer.commitClaim();
        if (index >= 0 && groupCommitter != null) {
            awaitDurable(index);
        }
        return index;
    }

    void abortClaim() {
        sequencer.abortClaim();
    }

    /**
     * SYNC: returns once the group commit covering {@code index} is done (or the engine stopped).
     * An interrupt does not cut the wait short (the event is journaled, and returning its index
     * would claim a durability it does not have yet); the wait is bounded by the group commit's
     * delay plus one msync, and the interrupt status is restored on return.
     */
    private void awaitDurable(long index) {
        if (groupCommitter.durableGate() > index) {
            return;
        }
        IdleStrategy waiting = WAITING.get();
        waiting.reset();
        boolean interrupted = false;
        while (groupCommitter.durableGate() <= index) {
            if (closed.get() && housekeepingRunner.isClosed()) {
                break; // the committer's final sync on close covered it
            }
            interrupted |= Thread.interrupted(); // else parkNanos returns at once and this spins
            waiting.idle();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Spin 100 times, yield 10 times, then park from 1 µs doubling up to 1 ms. */
    private static IdleStrategy newWaitStrategy() {
        return new BackoffIdleStrategy(100, 10, 1_000L, 1_000_000L);
    }

    /** Counters and per-stage latency so far (control path: allocates). */
    public EngineMetrics metrics() {
        long appended = sequencer.appended();
        List<EngineMetrics.Stage> stageMetrics = new ArrayList<>(stages.length);
        for (StageAgent stage : stages) {
            var m = stage.metrics();
            stageMetrics.add(new EngineMetrics.Stage(m.stage(), m.events().getAcquire(), m.batches().getAcquire(),
                m.errors().getAcquire(), m.deadLettered().getAcquire(), appended - stage.processed(),
                m.latency().snapshot()));
        }
        return new EngineMetrics(appended, sequencer.duplicates(), sequencer.backPressured(), sequencer.rejected(),
            sequencer.journalUnavailable(), List.copyOf(stageMetrics));
    }

    /** How long appending each batch of events (a network read) took: publish to journaled. */
    public LatencyRecorder appendLatency() {
        return sequencer.appendLatency();
    }

    /** Each stage's live counters and latency recorder, in stage order (for exporters; read-only use). */
    public List<StageMetrics> stageMetrics() {
        List<StageMetrics> list = new ArrayList<>(stages.length);
        for (StageAgent stage : stages) {
            list.add(stage.metrics());
        }
        return List.copyOf(list);
    }

    /**
     * The engine's figures as named metrics, for exporters (the counters file next to the journal,
     * the admin port's {@code /metrics}); the composing node adds its own to the same registry.
     */
    public MetricRegistry metricRegistry() {
        return metricRegistry;
    }

    /** The dead-letter journal (null when the engine has no journal directory). */
    public DeadLetterJournal deadLetters() {
        return deadLetters;
    }

    /** The durable journal, or null in MEMORY mode. */
    public ChronicleJournal chronicleJournal() {
        return journal instanceof ChronicleJournal chronicle ? chronicle : null;
    }

    public EngineConfig config() {
        return config;
    }

    /** Stops accepting, drains, stops the stages and closes the journal and state. */
    @Override
    public void close() {
        closeAndReport();
    }

    /**
     * {@link #close()}, saying whether every published event was handled before the stages stopped.
     * Calling it again returns the first report, or fails as the first close did.
     */
    public CloseReport closeAndReport() {
        if (!closed.compareAndSet(false, true)) {
            try {
                return closeReport.join();
            } catch (CompletionException e) {
                throw new IllegalStateException("the engine's first close failed: " + e.getCause(), e.getCause());
            }
        }
        try {
            CloseReport report = closeOnce();
            closeReport.complete(report);
            return report;
        } catch (RuntimeException | Error e) {
            closeReport.completeExceptionally(e);
            throw e;
        }
    }

    private CloseReport closeOnce() {
        sequencer.close(); // waits out an append in progress; every later one answers CLOSED
        long appended = sequencer.appended();
        long deadline = System.nanoTime() + config.closeTimeout().toNanos();
        while (lastStage.processed() < appended && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000L);
        }
        for (AgentRunner runner : stageRunners) {
            runner.close();
        }
        if (housekeepingRunner != null) {
            housekeepingRunner.close();
        }
        Map<String, Long> unprocessed = new LinkedHashMap<>();
        for (StageAgent stage : stages) {
            unprocessed.put(stage.roleName(), Math.max(0, appended - stage.processed()));
        }
        boolean drained = unprocessed.values().stream().allMatch(left -> left == 0);
        Throwable failure = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", resources.get(i), e);
            } catch (Error e) {
                // keep closing the others; the first Error is rethrown once all had their chance
                LOG.error("closing {} failed", resources.get(i), e);
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw (Error) failure;
        }
        CloseReport report = new CloseReport(drained, appended, Map.copyOf(unprocessed));
        if (!drained) {
            LOG.warn("engine closed before every stage caught up: {}", report);
        }
        return report;
    }
}
