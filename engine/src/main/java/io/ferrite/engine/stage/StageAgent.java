package io.ferrite.engine.stage;

import io.ferrite.engine.ErrorHandler;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;
import io.ferrite.engine.journal.DeadLetterJournal;
import io.ferrite.engine.journal.JournalReader;
import io.ferrite.engine.journal.RecordConsumer;
import io.ferrite.engine.metrics.SingleWriterCounter;
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
    private final SingleWriterCounter processed = new SingleWriterCounter();

    private long available;
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
        processed.setOrdered(initialProcessed);
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
        long limit = upstream == null ? JournalReader.NO_LIMIT : upstream.gate();
        available = upstreamCount.getAsLong();
        int handled = 0;
        while (handled < batchSize) {
            batchEnds = handled == batchSize - 1;
            if (!reader.readNext(this, limit)) {
                break;
            }
            handled++;
        }
        if (handled > 0) {
            metrics.batches().incrementOrdered();
        }
        return handled;
    }

    @Override
    public void onRecord(MemorySegment memory, long offset, int length, long index) {
        long handledBefore = processed.getAcquire();
        boolean endOfBatch = batchEnds || handledBefore + 1 >= available;
        view.wrap(memory, offset, length);
        try {
            handler.onEvent(view, index, endOfBatch);
        } catch (Throwable error) {
            metrics.errors().incrementOrdered();
            errorHandler.onError(name, index, error);
            if (deadLetters != null) {
                deadLetters.record(name, index, error, memory, offset, length);
                metrics.deadLettered().incrementOrdered();
            }
        }
        if (index > replayThroughIndex) {
            metrics.latency().record(System.nanoTime() - view.publishNanos());
        }
        lastIndex = index;
        processed.setOrdered(handledBefore + 1);
        metrics.events().incrementOrdered();
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
