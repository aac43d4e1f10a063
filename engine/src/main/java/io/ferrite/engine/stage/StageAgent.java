package io.ferrite.engine.stage;

import io.ferrite.concurrent.Progress;
import io.ferrite.engine.DeferredHandler;
import io.ferrite.engine.ErrorHandler;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;
import io.ferrite.engine.journal.DeadLetterJournal;
import io.ferrite.engine.journal.JournalReader;
import io.ferrite.engine.journal.RecordConsumer;
import io.ferrite.engine.metrics.LatencyRecorder;
import io.ferrite.engine.metrics.StageMetrics;
import io.ferrite.engine.metrics.jfr.CheckpointEvent;
import io.ferrite.engine.metrics.jfr.SlowBatchEvent;
import io.ferrite.engine.state.CheckpointStore;
import org.agrona.concurrent.Agent;

import java.lang.foreign.MemorySegment;

/**
 * One user stage as a duty cycle: reads up to {@code batchSize} records below its upstream gate,
 * hands each to the handler through one reused {@link EventView}, and records progress. A handler
 * exception goes to the error handler and the dead-letter journal; the stage carries on.
 *
 * <p>Progress it publishes: {@link #processed()}, its reader's gate (the index of the next event
 * it will handle, release store), which is both the next stage's limit and, for the last stage,
 * what frees the engine's capacity; its checkpoint (the last index handled) every
 * {@code checkpointEvery} events and on close. For a {@link DeferredHandler} both are held back
 * to the oldest event the handler has not finished.
 *
 * <p>Thread-safety: single-threaded: run by one agent runner thread; {@link #processed()} from any thread.
 */
public final class StageAgent implements Agent, RecordConsumer, DeferredHandler.Completions {
    private final String name;
    private final EventHandler handler;
    private final JournalReader reader;
    private final StageAgent upstream;
    /** The handler when it finishes events on its own thread, else null. */
    private final DeferredHandler deferred;
    private final StageMetrics metrics;
    private final ErrorHandler errorHandler;
    private final DeadLetterJournal deadLetters;
    private final CheckpointStore.Slot checkpoint;
    private final int checkpointEvery;
    private final int batchSize;
    private final long replayThroughIndex;
    private final EventView view = new EventView();
    /** Publish stamps of the batch in progress: latency is recorded once the batch is handled. */
    private final long[] batchPublishNanos;

    private int stampedInBatch;
    private int sinceCheckpoint;
    private long lastIndex = -1;
    /** The last value stored to the checkpoint by this run. */
    private long checkpointed = -1;

    /**
     * @param upstream           the previous stage (what it has processed limits this one), or null for the first stage
     * @param checkpoint         where the last index handled is stored, or null when nothing is persisted
     * @param startIndex         the first index to handle (just after the checkpoint's, or the journal's start);
     *                           the reader is moved there
     * @param replayThroughIndex records up to this index were journaled by an earlier process: no latency for them
     */
    public StageAgent(String name, EventHandler handler, JournalReader reader, StageAgent upstream,
                      StageMetrics metrics, ErrorHandler errorHandler, DeadLetterJournal deadLetters,
                      CheckpointStore.Slot checkpoint, long startIndex, int checkpointEvery, int batchSize,
                      long replayThroughIndex) {
        this.name = name;
        this.handler = handler;
        this.reader = reader;
        this.upstream = upstream;
        this.deferred = handler instanceof DeferredHandler d && d.defers() ? d : null;
        this.metrics = metrics;
        this.errorHandler = errorHandler;
        this.deadLetters = deadLetters;
        this.checkpoint = checkpoint;
        this.checkpointEvery = checkpointEvery;
        this.batchSize = batchSize;
        this.replayThroughIndex = replayThroughIndex;
        this.batchPublishNanos = new long[batchSize];
        reader.moveTo(startIndex);
    }

    @Override
    public void onStart() {
        if (deferred != null) {
            deferred.completionsTo(this);
        }
        handler.onStart();
    }

    @Override
    public int doWork() {
        long limit = upstream == null ? JournalReader.NO_LIMIT : upstream.processed();
        int handled;
        try {
            handled = reader.read(this, limit, batchSize);
        } finally {
            recordLatencies(); // also when a reader failure escapes: the stamps never outgrow a batch
        }
        if (handled > 0) {
            metrics.batches().incrementRelease();
            metrics.events().addRelease(handled);
        }
        if (deferred == null) {
            if (handled == 0) {
                handler.onIdle();
            }
            return handled;
        }
        int finished = deferred.doDeferredWork();
        checkpointFinished(handled == 0 && finished == 0);
        return handled + finished;
    }

    /**
     * One clock read per batch (a read costs 25-60 ns on a VM): each event's latency runs from its
     * publish stamp to the end of the batch that handled it, which overstates by at most the time
     * the rest of the batch took, never understates.
     */
    private void recordLatencies() {
        int stamped = stampedInBatch;
        if (stamped == 0) {
            return;
        }
        stampedInBatch = 0;
        long now = System.nanoTime();
        LatencyRecorder latency = metrics.latency();
        latency.beginBatch();
        for (int i = 0; i < stamped; i++) {
            latency.record(now - batchPublishNanos[i]);
        }
        latency.endBatch();
        long oldest = now - batchPublishNanos[0];
        if (oldest > SlowBatchEvent.THRESHOLD_NANOS && SlowBatchEvent.TYPE.isEnabled()) {
            SlowBatchEvent event = new SlowBatchEvent();
            event.stage = name;
            event.events = stamped;
            event.oldestLatency = oldest;
            event.commit();
        }
    }

    @Override
    public void onRecord(MemorySegment memory, long offset, int length, long index, boolean endOfBatch) {
        view.wrap(memory, offset, length);
        try {
            handler.onEvent(view, index, endOfBatch);
        } catch (Throwable error) {
            fail(index, error, memory, offset, length);
        }
        if (index > replayThroughIndex && deferred == null) { // a deferred handler reports when it finishes
            batchPublishNanos[stampedInBatch++] = view.publishNanos();
        }
        lastIndex = index;
        if (checkpoint != null && ++sinceCheckpoint >= checkpointEvery) {
            checkpointed = finishedThrough(index);
            checkpoint.store(checkpointed);
            sinceCheckpoint = 0;
            if (CheckpointEvent.TYPE.isEnabled()) {
                CheckpointEvent event = new CheckpointEvent();
                event.stage = name;
                event.index = index;
                event.commit();
            }
        }
    }

    @Override
    public void onClose() {
        try {
            handler.onClose();
        } finally {
            if (checkpoint != null && lastIndex >= 0) {
                checkpoint.store(finishedThrough(lastIndex));
            }
            reader.close();
        }
    }

    /**
     * The index of the next event this stage will handle: every event below it is handled (acquire).
     * The reader's gate is read first: an event it passed was taken in by a deferred handler before.
     */
    public long processed() {
        long gate = reader.gate();
        return deferred == null ? gate : Math.min(gate, deferred.finishedBelow());
    }

    /**
     * A deferred handler finishes events between this stage's reads: move the checkpoint up to them
     * when idle or every {@code checkpointEvery} events, so a restart re-runs no more than needed.
     */
    private void checkpointFinished(boolean idle) {
        if (checkpoint == null || lastIndex < 0) {
            return;
        }
        long through = finishedThrough(lastIndex);
        if (through > checkpointed && (idle || through - checkpointed >= checkpointEvery)) {
            checkpoint.store(through);
            checkpointed = through;
        }
    }

    /** The last index the checkpoint may hold once {@code index} was taken in. */
    private long finishedThrough(long index) {
        return deferred == null ? index : Math.min(index, deferred.finishedBelow() - 1);
    }

    /**
     * A deferred handler finished an event: its latency, publish to now (the handler's thread is
     * the recorder's one writer, as the stage thread records nothing for a deferred handler).
     */
    @Override
    public void finished(long index, EventView event) {
        if (index > replayThroughIndex) {
            LatencyRecorder latency = metrics.latency();
            latency.beginBatch();
            latency.record(System.nanoTime() - event.publishNanos());
            latency.endBatch();
        }
    }

    /** An event a deferred handler failed: recorded as if it had thrown here. */
    @Override
    public void failed(long index, Throwable error, EventView event) {
        fail(index, error, event.memory(), event.recordOffset(), (int) event.recordLength());
    }

    /** Error handler, dead letters and counters; the counters by CAS, as a deferred handler's thread shares them. */
    private void fail(long index, Throwable error, MemorySegment memory, long offset, int length) {
        increment(metrics.errors());
        errorHandler.onError(name, index, error);
        if (deadLetters != null && deadLetters.record(name, index, error, memory, offset, length)) {
            increment(metrics.deadLettered());
        }
    }

    private static void increment(Progress counter) {
        long value;
        do {
            value = counter.getVolatile();
        } while (!counter.compareAndSet(value, value + 1));
    }

    /** This stage's reader: its gate limits the next stage. */
    public JournalReader reader() {
        return reader;
    }

    public StageMetrics metrics() {
        return metrics;
    }

    /** The journal index of the last event handled, -1 if none. Stage thread only. */
    long lastIndex() {
        return lastIndex;
    }

    @Override
    public String roleName() {
        return name;
    }
}
