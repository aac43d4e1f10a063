package io.ferrite.engine.stage;

import io.ferrite.concurrent.Progress;
import io.ferrite.engine.ErrorHandler;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;
import io.ferrite.engine.journal.DeadLetterJournal;
import io.ferrite.engine.journal.JournalReader;
import io.ferrite.engine.journal.RecordConsumer;
import io.ferrite.engine.metrics.LatencyRecorder;
import io.ferrite.engine.metrics.StageMetrics;
import io.ferrite.engine.state.CheckpointStore;
import org.agrona.concurrent.Agent;

import java.lang.foreign.MemorySegment;
import java.util.function.LongSupplier;

/**
 * One user stage as a duty cycle: reads up to {@code batchSize} records below its upstream gate,
 * hands each to the handler through one reused {@link EventView}, and records progress. A handler
 * exception goes to the error handler and the dead-letter journal; the stage carries on.
 *
 * <p>Progress it publishes: {@link #processed()} (events handled, release store) and its reader's
 * gate; its checkpoint every {@code checkpointEvery} events and on close.
 *
 * <p>Thread-safety: single-threaded: run by one agent runner thread; {@link #processed()} and
 * {@link #gate()} readable from any thread.
 */
public final class StageAgent implements Agent, RecordConsumer {
    private final String name;
    private final EventHandler handler;
    private final JournalReader reader;
    private final JournalReader upstream;
    private final LongSupplier upstreamCount;
    private final StageMetrics metrics;
    private final ErrorHandler errorHandler;
    private final DeadLetterJournal deadLetters;
    private final CheckpointStore.Slot checkpoint;
    private final int checkpointEvery;
    private final int batchSize;
    private final long replayThroughIndex;
    private final EventView view = new EventView();
    private final Progress processed = new Progress();
    /** The reader tells whether another record is ready (MEMORY); else upstream's count does. */
    private final boolean peeking;
    /** Publish stamps of the batch in progress: latency is recorded once the batch is handled. */
    private final long[] batchPublishNanos;

    /** Plain copy of {@link #processed}: the stage is its only writer. */
    private long handledCount;
    private int stampedInBatch;
    /** A lower bound of upstream's count of events, refreshed when this stage reaches it. */
    private long available;
    /** This duty cycle's limit from upstream's gate. */
    private long limit;
    private int sinceCheckpoint;
    private long lastIndex = -1;
    private boolean batchEnds;

    /**
     * @param upstream           the previous stage's reader (its gate limits this one), or null for the first stage
     * @param upstreamCount      events the previous stage handled (or, for the first, events appended)
     * @param initialProcessed   where {@link #processed()} starts, so that {@code upstreamCount - processed}
     *                           is this stage's backlog after a restart
     * @param checkpoint         null when nothing is persisted (MEMORY durability)
     * @param replayThroughIndex records up to this index were journaled by an earlier process: no latency for them
     */
    public StageAgent(String name, EventHandler handler, JournalReader reader, JournalReader upstream,
                      LongSupplier upstreamCount, long initialProcessed, StageMetrics metrics,
                      ErrorHandler errorHandler, DeadLetterJournal deadLetters, CheckpointStore.Slot checkpoint,
                      int checkpointEvery, int batchSize, long replayThroughIndex) {
        this.name = name;
        this.handler = handler;
        this.reader = reader;
        this.upstream = upstream;
        this.upstreamCount = upstreamCount;
        this.metrics = metrics;
        this.errorHandler = errorHandler;
        this.deadLetters = deadLetters;
        this.checkpoint = checkpoint;
        this.checkpointEvery = checkpointEvery;
        this.batchSize = batchSize;
        this.replayThroughIndex = replayThroughIndex;
        this.peeking = reader.canPeek();
        this.batchPublishNanos = new long[batchSize];
        this.handledCount = initialProcessed;
        processed.setRelease(initialProcessed);
        if (checkpoint != null) {
            lastIndex = checkpoint.get();
            reader.moveAfter(lastIndex);
        }
    }

    @Override
    public void onStart() {
        handler.onStart();
    }

    @Override
    public int doWork() {
        limit = upstream == null ? JournalReader.NO_LIMIT : upstream.gate();
        int handled = 0;
        try {
            while (handled < batchSize) {
                batchEnds = handled == batchSize - 1;
                if (!reader.readNext(this, limit)) {
                    break;
                }
                handled++;
            }
        } finally {
            recordLatencies(); // also when a reader failure escapes: the stamps never outgrow a batch
        }
        if (handled > 0) {
            metrics.batches().incrementRelease();
        }
        return handled;
    }

    /**
     * Whether the event that makes {@code handledAfter} is the last one upstream has so far. A
     * reader that can peek answers from the journal itself. Otherwise upstream's count is re-read
     * only when the cached one is used up: publishers increment it on every event, and polling it
     * from an idle stage would take that line from them each time.
     */
    private boolean isLastAvailable(long handledAfter) {
        if (peeking) {
            return !reader.nextReady(limit);
        }
        if (handledAfter < available) {
            return false;
        }
        available = upstreamCount.getAsLong();
        return handledAfter >= available;
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
    }

    @Override
    public void onRecord(MemorySegment memory, long offset, int length, long index) {
        long handledBefore = handledCount;
        boolean endOfBatch = batchEnds || isLastAvailable(handledBefore + 1);
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
        handledCount = handledBefore + 1;
        processed.setRelease(handledCount);
        metrics.events().incrementRelease();
        if (checkpoint != null && ++sinceCheckpoint >= checkpointEvery) {
            checkpoint.store(index);
            sinceCheckpoint = 0;
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

    /** Events handled (including those whose handler threw). */
    public long processed() {
        return processed.getAcquire();
    }

    /** Just past the last record this stage has handled: the next stage's limit. */
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
