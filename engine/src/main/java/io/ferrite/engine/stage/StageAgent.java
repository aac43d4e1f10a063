package io.ferrite.engine.stage;

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
 * <p>Progress it publishes: its reader's gate (the index of the next event it will handle,
 * release store), which is both the next stage's limit and, for the last stage, what frees the
 * engine's capacity; its checkpoint (the last index handled) every {@code checkpointEvery} events
 * and on close.
 *
 * <p>Thread-safety: single-threaded: run by one agent runner thread; {@link #processed()} from any thread.
 */
public final class StageAgent implements Agent, RecordConsumer {
    private final String name;
    private final EventHandler handler;
    private final JournalReader reader;
    private final JournalReader upstream;
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

    /**
     * @param upstream           the previous stage's reader (its gate limits this one), or null for the first stage
     * @param checkpoint         where the last index handled is stored, or null when nothing is persisted
     * @param startIndex         the first index to handle (just after the checkpoint's, or the journal's start);
     *                           the reader is moved there
     * @param replayThroughIndex records up to this index were journaled by an earlier process: no latency for them
     */
    public StageAgent(String name, EventHandler handler, JournalReader reader, JournalReader upstream,
                      StageMetrics metrics, ErrorHandler errorHandler, DeadLetterJournal deadLetters,
                      CheckpointStore.Slot checkpoint, long startIndex, int checkpointEvery, int batchSize,
                      long replayThroughIndex) {
        this.name = name;
        this.handler = handler;
        this.reader = reader;
        this.upstream = upstream;
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
        handler.onStart();
    }

    @Override
    public int doWork() {
        long limit = upstream == null ? JournalReader.NO_LIMIT : upstream.gate();
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
        return handled;
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
            metrics.errors().incrementRelease();
            errorHandler.onError(name, index, error);
            if (deadLetters != null && deadLetters.record(name, index, error, memory, offset, length)) {
                metrics.deadLettered().incrementRelease();
            }
        }
        if (index > replayThroughIndex) {
            batchPublishNanos[stampedInBatch++] = view.publishNanos();
        }
        lastIndex = index;
        if (checkpoint != null && ++sinceCheckpoint >= checkpointEvery) {
            checkpoint.store(index);
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
                checkpoint.store(lastIndex);
            }
            reader.close();
        }
    }

    /** The index of the next event this stage will handle: every event below it is handled (acquire). */
    public long processed() {
        return reader.gate();
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
