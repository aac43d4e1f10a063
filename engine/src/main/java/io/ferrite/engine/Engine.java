package io.ferrite.engine;

import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.DeadLetterJournal;
import io.ferrite.engine.journal.GroupCommitter;
import io.ferrite.engine.journal.Journal;
import io.ferrite.engine.stage.StageAgent;
import io.ferrite.engine.state.DedupWindow;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Ferrite embedded: publish events from any thread; they are deduplicated (by eventId), journaled
 * under the configured {@link Durability}, and handled by the stages in journal order, each stage
 * on one thread. Build one with {@link #builder()}; close it to drain and stop.
 *
 * <p>Publishing never allocates and never throws for data-path outcomes: it returns the journal
 * index (≥ 0) or a {@link PublishResult} code.
 *
 * <p>Thread-safety: {@link #publish}, {@link #tryClaim} and {@link #publishBlocking} from any
 * number of threads; {@link #close()} once, from any thread.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** {@link #reserveId}: the event is not deduplicated. */
    private static final long NO_ID = Long.MIN_VALUE;

    private final EngineConfig config;
    private final Journal journal;
    private final DedupWindow dedup;
    private final GroupCommitter groupCommitter;
    private final DeadLetterJournal deadLetters;
    private final StageAgent[] stages;
    private final StageAgent lastStage;
    private final List<AgentRunner> stageRunners;
    private final AgentRunner housekeepingRunner;
    private final List<AutoCloseable> resources;
    private final AtomicLong appended;
    /**
     * Places taken within capacity: {@code appended} plus the publishes admitted but not yet
     * appended or given up. Its excess over {@code appended} is what close() waits out.
     */
    private final AtomicLong admitted;
    /**
     * A lower bound of {@code lastStage.processed()} shared by publishers, refreshed only when it
     * says the engine is full ({@code processed} only grows, so any value once read stays a bound).
     */
    private volatile long processedBound;
    private final LongAdder backPressured = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder journalUnavailable = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean closing;
    /** Completed by the first close, normally or with what it threw; later closes wait for it. */
    private final CompletableFuture<CloseReport> closeReport = new CompletableFuture<>();
    /** How publishing threads wait (back pressure, SYNC durability); one per thread, made once. */
    private static final ThreadLocal<IdleStrategy> WAITING = ThreadLocal.withInitial(Engine::newWaitStrategy);

    Engine(EngineConfig config, EngineAssembly.EngineParts parts) {
        this.config = config;
        this.journal = parts.journal();
        this.dedup = parts.dedup();
        this.groupCommitter = parts.groupCommitter();
        this.deadLetters = parts.deadLetters();
        this.stages = parts.stages().toArray(StageAgent[]::new);
        this.lastStage = stages[stages.length - 1];
        this.stageRunners = parts.stageRunners();
        this.housekeepingRunner = parts.housekeepingRunner();
        this.resources = parts.resources();
        this.appended = parts.appended();
        this.admitted = new AtomicLong(appended.get());
        this.processedBound = lastStage.processed();
    }

    /** A builder with defaults for a small machine. */
    public static EngineBuilder builder() {
        return new EngineBuilder();
    }

    static Engine start(EngineConfig config) {
        return EngineAssembly.start(config);
    }

    /**
     * Publishes one event with the engine's clock as its timestamp.
     *
     * @return the journal index (≥ 0; for a duplicate eventId, the original's), or
     * {@link PublishResult#BACK_PRESSURED}, {@link PublishResult#CLOSED}, {@link PublishResult#REJECTED},
     * {@link PublishResult#JOURNAL_UNAVAILABLE}
     */
    public long publish(int type, long key, long eventId, int priority, MemorySegment payload, long offset, int length) {
        return publish(0L, type, key, eventId, 0L, priority, payload, offset, length);
    }

    /**
     * Publishes one event carrying a client correlationId and producer timestamp (0 = stamp it now).
     * The transport uses this form.
     */
    public long publish(long correlationId, int type, long key, long eventId, long timestampNanos, int priority,
                        MemorySegment payload, long offset, int length) {
        return publish(correlationId, type, key, eventId, timestampNanos, priority, payload, offset, length, true, null);
    }

    /**
     * Publishes a relayed event without waiting for SYNC durability: the caller checks
     * {@link #durableGate()} before acknowledging (the transport does, off its event loop's
     * critical path). Sets {@link Ingest#duplicate()}.
     *
     * @return as {@link #publish(int, long, long, int, MemorySegment, long, int)}
     */
    public long offer(Ingest in) {
        return publish(in.correlationId, in.type, in.key, in.eventId, in.timestampNanos, in.priority, in.payload,
            in.payloadOffset, in.payloadLength, false, in);
    }

    /**
     * Every event with a journal index below this is durable under the engine's mode: in SYNC
     * mode, msynced; in ASYNC and MEMORY modes, every accepted event ({@link Long#MAX_VALUE}).
     */
    public long durableGate() {
        return groupCommitter == null ? Long.MAX_VALUE : groupCommitter.durableGate();
    }

    private long publish(long correlationId, int type, long key, long eventId, long timestampNanos, int priority,
                         MemorySegment payload, long offset, int length, boolean waitDurable, Ingest status) {
        long refusal = admit(priority, length);
        if (refusal != 0) {
            return refusal;
        }
        long id = reserveId(eventId);
        if (id != NO_ID && id != DedupWindow.RESERVED) {
            if (status != null) {
                status.duplicate = true;
            }
            return id;
        }
        boolean reserved = id == DedupWindow.RESERVED;
        long now = System.nanoTime(); // one clock read for both stamps: a read costs 25-60 ns on a VM
        long index = journal.append(now, correlationId, eventId, key,
            timestampNanos != 0 ? timestampNanos : EpochClock.epochNanos(now), type, priority, payload, offset, length);
        return completed(index, eventId, reserved, waitDurable);
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
     * and then committed through {@code claim}.
     *
     * @return the index the event will have (≥ 0), or a negative {@link PublishResult} code (then
     * {@code claim} is not open); a duplicate eventId returns the original's index and opens nothing
     */
    public long tryClaim(int type, long key, long eventId, int priority, int length, Claim claim) {
        long refusal = admit(priority, length);
        if (refusal != 0) {
            return refusal;
        }
        long id = reserveId(eventId);
        if (id != NO_ID && id != DedupWindow.RESERVED) {
            return id;
        }
        boolean reserved = id == DedupWindow.RESERVED;
        long now = System.nanoTime();
        long index = journal.tryClaim(now, 0L, eventId, key, EpochClock.epochNanos(now), type, priority,
            length, claim.journalClaim);
        if (index < 0) {
            return completed(index, eventId, reserved, true);
        }
        claim.engine = this;
        claim.eventId = eventId;
        claim.reserved = reserved;
        return index;
    }

    long commitClaim(Claim claim) {
        long index = claim.journalClaim.index();
        claim.journalClaim.commit();
        return completed(index, claim.eventId, claim.reserved, true);
    }

    void abortClaim(Claim claim) {
        claim.journalClaim.abort();
        admitted.decrementAndGet();
        if (claim.reserved) {
            dedup.cancel(claim.eventId);
        }
    }

    /** 0 when the event may go ahead, else the code refusing it. */
    private long admit(int priority, int length) {
        if (closing) {
            return PublishResult.CLOSED;
        }
        if (priority < 0 || priority > 3 || length < 0 || length > config.maxPayloadLength()) {
            rejected.increment();
            return PublishResult.REJECTED;
        }
        // Take a place within capacity before appending: a check followed by a separate append
        // would let N publishers overshoot it by N - 1. The place is handed back unless appended.
        // The last stage's progress is read through a cached lower bound: the stage writes that
        // line on every event, so reading it on every publish would cost a cache miss each time.
        long taken;
        do {
            taken = admitted.get();
            if (taken - processedBound >= config.capacity()) {
                long processed = lastStage.processed();
                processedBound = processed; // racing publishers may store an older value: still a lower bound
                if (taken - processed >= config.capacity()) {
                    backPressured.increment();
                    return PublishResult.BACK_PRESSURED;
                }
            }
        } while (!admitted.compareAndSet(taken, taken + 1));
        // A volatile write (the CAS), then a volatile read of closing; close() writes closing, then
        // reads admitted: either this publisher sees closing, or close() waits for its append.
        if (closing) {
            admitted.decrementAndGet();
            return PublishResult.CLOSED;
        }
        return 0;
    }

    /**
     * {@link #NO_ID} when the event has no id or dedup is off; {@link DedupWindow#RESERVED} when this
     * publisher now owns the id; else the original index of a duplicate, its admission given back.
     */
    private long reserveId(long eventId) {
        if (eventId == 0 || dedup == null) {
            return NO_ID;
        }
        long result = dedup.reserve(eventId);
        if (result != DedupWindow.RESERVED) {
            admitted.decrementAndGet();
        }
        return result;
    }

    private long completed(long index, long eventId, boolean reserved, boolean waitDurable) {
        if (index < 0) {
            admitted.decrementAndGet();
            if (reserved) {
                dedup.cancel(eventId);
            }
            if (index == PublishResult.BACK_PRESSURED) {
                backPressured.increment();
            } else if (index == PublishResult.REJECTED) {
                rejected.increment();
            } else if (index == PublishResult.JOURNAL_UNAVAILABLE) {
                journalUnavailable.increment();
            }
            return index;
        }
        if (reserved) {
            dedup.complete(eventId, index);
        }
        appended.incrementAndGet();
        if (waitDurable && groupCommitter != null) {
            awaitDurable(index);
        }
        return index;
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
        long published = appended.get();
        List<EngineMetrics.Stage> stageMetrics = new ArrayList<>(stages.length);
        for (StageAgent stage : stages) {
            var m = stage.metrics();
            stageMetrics.add(new EngineMetrics.Stage(m.stage(), m.events().getAcquire(), m.batches().getAcquire(),
                m.errors().getAcquire(), m.deadLettered().getAcquire(), published - stage.processed(),
                m.latency().snapshot()));
        }
        return new EngineMetrics(published, dedup == null ? 0 : dedup.duplicates(), backPressured.sum(),
            rejected.sum(), journalUnavailable.sum(), List.copyOf(stageMetrics));
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
     * Calling it again returns the first report.
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
        closing = true;
        long deadline = System.nanoTime() + config.closeTimeout().toNanos();
        while (admitted.get() != appended.get() && System.nanoTime() - deadline < 0) {
            Thread.yield(); // publishers admitted before they could see closing: appends take microseconds
        }
        while (lastStage.processed() < appended.get() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000L);
        }
        for (AgentRunner runner : stageRunners) {
            runner.close();
        }
        if (housekeepingRunner != null) {
            housekeepingRunner.close();
        }
        long published = appended.get();
        Map<String, Long> unprocessed = new LinkedHashMap<>();
        for (StageAgent stage : stages) {
            unprocessed.put(stage.roleName(), Math.max(0, published - stage.processed()));
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
        CloseReport report = new CloseReport(drained, published, Map.copyOf(unprocessed));
        if (!drained) {
            LOG.warn("engine closed before every stage caught up: {}", report);
        }
        return report;
    }
}
