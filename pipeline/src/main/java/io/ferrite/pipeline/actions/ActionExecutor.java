package io.ferrite.pipeline.actions;

import io.ferrite.concurrent.Progress;
import io.ferrite.engine.DeferredHandler;
import io.ferrite.pipeline.completion.CompletionRing;
import org.agrona.concurrent.Agent;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.jctools.queues.SpscArrayQueue;

import java.util.ArrayDeque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Runs an action stage's calls off the stage thread: takes events from the stage (a bounded JCTools
 * queue: when it is full, the stage waits), starts each event's calls while fewer than
 * {@code maxParallelism} are in flight in all and per action, retries failures after their backoff,
 * holds calls back while their action's breaker is open, and when every action of an event is done
 * or has given up (dead-lettered), marks the event finished.
 *
 * <p>Thread-safety: single-threaded (its agent runner); attempts end on other threads and come
 * back through an MPSC queue.
 */
final class ActionExecutor implements Agent {
    private final String roleName;
    private final SpscArrayQueue<ActionEvent> inbound;
    private final List<ActionRunner> actions;
    private final int maxParallelism;
    private final CompletionRing ring;
    /** Completed actions across restarts, or null when the stage keeps none. */
    private final ActionLedger ledger;
    private final Progress suppressed = new Progress(0);
    private final MpscUnboundedArrayQueue<Attempt> ended = new MpscUnboundedArrayQueue<>(1024);
    /** An attempt ended (any thread): queue it and wake the executor if it parked. */
    private final Consumer<Attempt> onEnd = attempt -> {
        ended.offer(attempt);
        wake();
    };
    private volatile Thread thread;
    /** Calls ready to start, per action (so one action's full quota does not hold the others back). */
    private final ArrayDeque<Call>[] ready;
    private final PriorityQueue<Call> waiting = new PriorityQueue<>((a, b) -> Long.compare(a.dueNanos, b.dueNanos));
    private final Progress inFlightGauge = new Progress(0);
    private volatile DeferredHandler.Completions completions;
    private int inFlight;

    @SuppressWarnings("unchecked")
    ActionExecutor(String roleName, SpscArrayQueue<ActionEvent> inbound, List<ActionRunner> actions, int maxParallelism,
                   CompletionRing ring, ActionLedger ledger) {
        this.ledger = ledger;
        this.roleName = roleName;
        this.inbound = inbound;
        this.actions = actions;
        this.maxParallelism = maxParallelism;
        this.ring = ring;
        this.ready = new ArrayDeque[actions.size()];
        for (int i = 0; i < ready.length; i++) {
            ready[i] = new ArrayDeque<>();
        }
    }

    void completionsTo(DeferredHandler.Completions engine) {
        this.completions = engine;
    }

    @Override
    public void onStart() {
        thread = Thread.currentThread();
    }

    /**
     * Any thread: there is work (an event queued, an attempt ended). The executor idles with
     * backoff and parks up to a millisecond; a call answered in less must not wait for that.
     */
    void wake() {
        Thread executor = thread;
        if (executor != null) {
            LockSupport.unpark(executor);
        }
    }

    @Override
    public int doWork() {
        long now = System.nanoTime();
        int work = drainEnded(now);
        while (!waiting.isEmpty() && now - waiting.peek().dueNanos >= 0) {
            Call due = waiting.poll();
            ready[due.actionIndex].add(due);
            work++;
        }
        work += takeEvents();
        work += startCalls(now);
        inFlightGauge.setRelease(inFlight);
        return work;
    }

    private int drainEnded(long now) {
        int count = 0;
        Attempt attempt;
        while ((attempt = ended.relaxedPoll()) != null) {
            count++;
            inFlight--;
            Call call = attempt.call();
            ActionRunner action = call.action;
            action.inFlight--;
            action.durations.beginBatch();
            action.durations.record(now - call.startedNanos);
            action.durations.endBatch();
            switch (attempt.outcome()) {
                case SUCCESS -> {
                    action.succeeded();
                    action.succeeded.incrementRelease();
                    finish(call);
                }
                case FAIL -> {
                    action.failed(now);
                    action.failedAttempts.incrementRelease();
                    giveUp(call, attempt.error());
                }
                case RETRY, TIMEOUT -> {
                    action.failed(now);
                    action.failedAttempts.incrementRelease();
                    if (attempt.outcome() == Attempt.Outcome.TIMEOUT) {
                        action.timedOut.incrementRelease();
                    }
                    call.lastError = attempt.error();
                    if (call.attempts >= action.spec.attempts()) {
                        giveUp(call, attempt.error());
                    } else {
                        action.retried.incrementRelease();
                        call.dueNanos = now + (attempt.retryAfterNanos() >= 0 ? attempt.retryAfterNanos()
                            : action.backoffNanos(call.attempts));
                        waiting.add(call);
                    }
                }
            }
        }
        return count;
    }

    /** Takes events while the calls already waiting to start are few: the inbound queue is the stage's back-pressure. */
    private int takeEvents() {
        int taken = 0;
        ActionEvent event;
        while (queuedCalls() < maxParallelism && (event = inbound.relaxedPoll()) != null) {
            taken++;
            for (int i = 0; i < actions.size(); i++) {
                ready[i].add(new Call(event, actions.get(i), i));
            }
        }
        return taken;
    }

    private int queuedCalls() {
        int queued = 0;
        for (ArrayDeque<Call> calls : ready) {
            queued += calls.size();
        }
        return queued;
    }

    private int startCalls(long now) {
        int started = 0;
        boolean progress = true;
        while (progress && inFlight < maxParallelism) {
            progress = false;
            for (int i = 0; i < ready.length && inFlight < maxParallelism; i++) { // round robin over the actions
                ActionRunner action = actions.get(i);
                Call call = ready[i].peek();
                if (call == null || action.inFlight >= action.spec.maxParallelism()) {
                    continue;
                }
                if (!action.admits(now)) { // breaker open: the call waits until it half-opens, no attempt spent
                    ready[i].poll();
                    call.dueNanos = Math.max(now, action.openUntilNanos());
                    waiting.add(call);
                    progress = true;
                    continue;
                }
                ready[i].poll();
                if (call.attempts == 0 && ledger != null && ledger.completed(call.event.eventId, i)) {
                    suppressed.incrementRelease(); // completed before a restart: not fired again
                    finish(call);
                    progress = true;
                    continue;
                }
                inFlight++;
                action.start(call, onEnd);
                started++;
                progress = true;
            }
        }
        return started;
    }

    private void giveUp(Call call, String error) {
        call.action.deadLettered.incrementRelease();
        engine().failed(call.event.index, new ActionException(call.action.spec.name(), call.attempts, error),
            call.event.view());
        finish(call);
    }

    /** One action of the event is done (or gave up); the last one finishes the event. */
    private void finish(Call call) {
        ActionEvent event = call.event;
        if (ledger != null && call.attempts > 0) {
            ledger.remember(event.eventId, call.actionIndex, event.index);
        }
        if (--event.pending == 0) {
            engine().finished(event.index, event.view());
            ring.finish(event.sequence);
        }
    }

    private DeferredHandler.Completions engine() {
        DeferredHandler.Completions engine = completions;
        if (engine == null) {
            throw new IllegalStateException(roleName + " runs outside an engine");
        }
        return engine;
    }

    /** Actions skipped because they completed before a restart. */
    long suppressed() {
        return suppressed.getAcquire();
    }

    /** Calls in flight now (a snapshot). */
    long inFlight() {
        return inFlightGauge.getAcquire();
    }

    /** Calls waiting for a retry or a breaker (executor thread's count, racy from others). */
    int waitingCalls() {
        return waiting.size();
    }

    @Override
    public String roleName() {
        return roleName;
    }
}
