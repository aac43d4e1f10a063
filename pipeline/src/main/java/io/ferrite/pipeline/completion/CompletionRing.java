package io.ferrite.pipeline.completion;

import io.ferrite.concurrent.Progress;
import io.ferrite.engine.DeferredHandler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Which events a {@link DeferredHandler} has finished when they finish out of journal order: the
 * taker numbers each event it takes in (a sequence) and remembers its journal index; the finisher
 * marks sequences finished in any order, and {@code completed}, the first sequence not yet
 * finished, moves over finished ones only. {@link #finishedBelow()} is that event's index: what
 * the engine may let the next stage and the checkpoint pass.
 *
 * <p>Sequences live in a ring: the taker may run at most a ring ahead of the oldest unfinished
 * event ({@link #hasRoom()}).
 *
 * <p>Thread-safety: {@link #hasRoom} and {@link #take} from one taker thread; {@link #finish} from
 * one finisher thread (it may be the taker); the rest from any thread. Memory ordering: the index
 * of a sequence is stored (release) before the sequence is published as taken (release); readers
 * load them with acquire and re-check {@code completed} to detect a reused position.
 */
public final class CompletionRing {
    private static final VarHandle INDEXES = MethodHandles.arrayElementVarHandle(long[].class);

    private final int mask;
    /** The journal index of each sequence in the ring. */
    private final long[] indexes;
    /** Finisher thread only: which sequences of the ring are finished. */
    private final boolean[] finished;
    /** The next sequence to take: written by the taker. */
    private final Progress taken = new Progress(0);
    /** The first sequence not yet finished: written by the finisher. */
    private final Progress completed = new Progress(0);
    /** Finisher thread: its copy of {@code completed}. */
    private long completedPlain;

    /** @param capacity events that may be unfinished at once, at least; rounded up to a power of two */
    public CompletionRing(int capacity) {
        int ring = Integer.highestOneBit(Math.max(2, capacity) - 1) << 1;
        this.mask = ring - 1;
        this.indexes = new long[ring];
        this.finished = new boolean[ring];
    }

    /** Taker thread: whether one more event fits (the oldest unfinished one is less than a ring behind). */
    public boolean hasRoom() {
        return taken.getPlain() - completed.getAcquire() <= mask;
    }

    /** Taker thread, after {@link #hasRoom()}: numbers the event at journal {@code index}; returns its sequence. */
    public long take(long index) {
        long sequence = taken.getPlain();
        INDEXES.setRelease(indexes, (int) (sequence & mask), index);
        taken.setRelease(sequence + 1);
        return sequence;
    }

    /** Finisher thread: {@code sequence} is finished; moves {@code completed} over every finished one in a row. */
    public void finish(long sequence) {
        finished[(int) (sequence & mask)] = true;
        long first = completedPlain;
        if (sequence != first) {
            return; // an older event is unfinished: completed cannot move yet
        }
        long end = taken.getAcquire();
        while (first < end && finished[(int) (first & mask)]) {
            finished[(int) (first & mask)] = false;
            first++;
        }
        completedPlain = first;
        completed.setRelease(first);
    }

    /** The journal index of the oldest unfinished event, or {@link DeferredHandler#NOTHING_PENDING} (acquire). */
    public long finishedBelow() {
        while (true) {
            long first = completed.getAcquire();
            if (first == taken.getAcquire()) {
                return DeferredHandler.NOTHING_PENDING;
            }
            long index = (long) INDEXES.getAcquire(indexes, (int) (first & mask));
            if (completed.getAcquire() == first) { // its position was not reused meanwhile
                return index;
            }
        }
    }

    /** Events taken and not yet finished (a snapshot). */
    public long unfinished() {
        return taken.getAcquire() - completed.getAcquire();
    }

    /** Positions in the ring. */
    public int size() {
        return mask + 1;
    }
}
