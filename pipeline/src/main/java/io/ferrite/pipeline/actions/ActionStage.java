package io.ferrite.pipeline.actions;

import io.ferrite.concurrent.Progress;
import io.ferrite.engine.DeferredHandler;
import io.ferrite.engine.EventView;
import io.ferrite.engine.IdleKind;
import io.ferrite.engine.metrics.LatencySummary;
import io.ferrite.engine.metrics.LatencyWindow;
import io.ferrite.engine.metrics.Metric;
import io.ferrite.engine.metrics.MetricRegistry;
import io.ferrite.pipeline.completion.CompletionRing;
import io.ferrite.pipeline.completion.OwnThread;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.jctools.queues.SpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stage that runs actions for each event its route matches: the stage thread copies the event
 * and hands it to an {@link ActionExecutor} on a thread of its own ({@code NAME-actions}) through a
 * bounded JCTools queue — when the queue is full the stage waits, nothing is dropped. An event is
 * finished when each of its actions succeeded or gave up (then it is in the dead-letter journal
 * with the action, the attempts and the last error); the engine holds the next stage and the
 * checkpoint at the oldest unfinished event, so after a crash the actions of unfinished events run
 * again (receivers tell repeats by the {@code Idempotency-Key} header).
 *
 * <p>Thread-safety: {@link #onEvent} and the lifecycle on the stage thread; figures from any thread.
 */
public final class ActionStage implements DeferredHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ActionStage.class);
    /** Events handed over and not yet taken by the executor, at most. */
    static final int QUEUE = 4_096;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Samples (one per observer interval) the duration summaries' window holds, as the node's other latencies. */
    private static final int WINDOW_INTERVALS = 10;

    private final String name;
    private final List<ActionRunner> actions;
    private final SpscArrayQueue<ActionEvent> queue = new SpscArrayQueue<>(QUEUE);
    private final CompletionRing ring = new CompletionRing(QUEUE * 4);
    private final ActionExecutor executor;
    private final WebhookClient http;
    private final ExecutorService files = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon()
        .name("ferrite-action-files").factory());
    private final IdleStrategy wait = IdleKind.BACKOFF.newStrategy();
    private final Progress fullWaits = new Progress(0);
    private final Duration drainTimeout;
    private final ActionLedger ledger;
    private AgentRunner runner;

    /**
     * @param maxParallelism calls in flight at most, all actions together
     * @param drainTimeout   how long {@link #onClose} waits for unfinished events (they run again after a restart)
     * @param stateDirectory where the ledger of completed actions is kept ({@code actions-NAME.dat}), or
     *                       null for none (then a restart fires again every action after the checkpoint)
     * @param window         completed actions the ledger remembers (keep it far above the checkpoint interval)
     */
    public ActionStage(String name, List<ActionSpec> specs, int maxParallelism, Duration drainTimeout, Path stateDirectory,
                       long window) {
        this.name = name;
        this.drainTimeout = drainTimeout;
        this.ledger = stateDirectory == null ? null : new ActionLedger(stateDirectory.resolve("actions-" + name + ".dat"),
            window);
        this.http = new WebhookClient(name + "-actions", maxParallelism, specs.stream().map(ActionSpec::timeout)
            .max(Duration::compareTo).orElse(Duration.ofSeconds(30)));
        this.actions = specs.stream().map(spec -> new ActionRunner(spec, http, files)).toList();
        this.executor = new ActionExecutor(name + "-actions", queue, actions, maxParallelism, ring, ledger);
    }

    public ActionStage(String name, List<ActionSpec> specs) {
        this(name, specs, 100, DRAIN_TIMEOUT, null, 0);
    }

    @Override
    public void completionsTo(Completions completions) {
        executor.completionsTo(completions);
    }

    @Override
    public void onStart() {
        runner = OwnThread.start(executor, IdleKind.BACKOFF.newStrategy());
    }

    /** Stage thread: copies the event and queues it for its actions; waits while the queue or the ring is full. */
    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) {
        boolean counted = false;
        while (!ring.hasRoom()) {
            counted = waitForRoom(counted);
        }
        ActionEvent copy = new ActionEvent(ring.take(index), index, event, actions.size());
        while (!queue.offer(copy)) {
            counted = waitForRoom(counted);
        }
        wait.reset();
        if (endOfBatch) {
            executor.wake(); // one wake-up per batch of events, not per event
        }
    }

    private boolean waitForRoom(boolean counted) {
        if (!counted) {
            fullWaits.incrementRelease();
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new IllegalStateException("stage " + name + " interrupted while its actions' queue was full");
        }
        wait.idle();
        return true;
    }

    @Override
    public long finishedBelow() {
        return ring.finishedBelow();
    }

    @Override
    public void onClose() {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (ring.unfinished() > 0 && System.nanoTime() - deadline < 0) {
            wait.idle();
        }
        boolean drained = ring.unfinished() == 0;
        if (!drained) {
            LOG.warn("stage {}: the actions of {} events did not finish within {} ms; they run again after a restart",
                name, ring.unfinished(), drainTimeout.toMillis());
        }
        if (runner != null) {
            runner.close();
        }
        http.close(); // closes the connections of calls still stalled: their events run again after a restart
        files.shutdown();
        actions.forEach(ActionRunner::close);
        if (ledger != null) {
            ledger.close(); // after the executor stopped: it is the ledger's one thread
        }
    }

    /** Adds the actions' figures to {@code registry}, labelled {@code action="STAGE/NAME"}. */
    public void registerInto(MetricRegistry registry) {
        for (ActionRunner action : actions) {
            String label = name + "/" + action.spec.name();
            registry.add(Metric.counter("ferrite_action_succeeded", "Actions that completed", action.succeeded::getAcquire)
                .withLabel("action", label));
            registry.add(Metric.counter("ferrite_action_failed_attempts", "Action attempts that failed (any way)",
                action.failedAttempts::getAcquire).withLabel("action", label));
            registry.add(Metric.counter("ferrite_action_retried", "Action attempts scheduled again after a failure",
                action.retried::getAcquire).withLabel("action", label));
            registry.add(Metric.counter("ferrite_action_timed_out", "Action attempts with no answer in time",
                action.timedOut::getAcquire).withLabel("action", label));
            registry.add(Metric.counter("ferrite_action_dead_lettered", "Actions that gave up (in the dead-letter journal)",
                action.deadLettered::getAcquire).withLabel("action", label));
            registry.add(Metric.gauge("ferrite_action_breaker_state", "Circuit breaker: 0 closed, 1 open, 2 half-open",
                action::breakerState).withLabel("action", label));
            registry.add(new LatencySummary("ferrite_action_duration_seconds", "How long action attempts took, start to end",
                "action", label, new LatencyWindow(() -> List.of(action.durations), WINDOW_INTERVALS)));
        }
        registry.add(Metric.gauge("ferrite_action_in_flight", "Action calls in flight", executor::inFlight)
            .withLabel("stage", name));
        registry.add(Metric.gauge("ferrite_action_queue_depth", "Events waiting for the action executor", queue::size)
            .withLabel("stage", name));
        registry.add(Metric.counter("ferrite_action_full_waits", "Times the stage waited for the action executor",
            fullWaits::getAcquire).withLabel("stage", name));
        registry.add(Metric.counter("ferrite_action_suppressed", "Actions not fired again after a restart (completed before)",
            executor::suppressed).withLabel("stage", name));
    }

    /** Actions not fired again because the ledger says they completed before a restart. */
    public long suppressed() {
        return executor.suppressed();
    }

    /** Events taken and not yet finished. */
    public long unfinished() {
        return ring.unfinished();
    }

    /** The p-th percentile of {@code action}'s attempt durations since the start, in nanoseconds. */
    public long durationNanos(String action, double percentile) {
        return actions.stream().filter(a -> a.spec.name().equals(action)).findFirst().orElseThrow().durations.snapshot()
            .getValueAtPercentile(percentile);
    }

    /** Succeeded, failed attempts, retried, timed out, dead-lettered for {@code action} (tests, {@code /status}). */
    public long[] figures(String action) {
        ActionRunner runner = actions.stream().filter(a -> a.spec.name().equals(action)).findFirst().orElseThrow();
        return new long[] {runner.succeeded.getAcquire(), runner.failedAttempts.getAcquire(), runner.retried.getAcquire(),
            runner.timedOut.getAcquire(), runner.deadLettered.getAcquire()};
    }

    public String name() {
        return name;
    }
}
