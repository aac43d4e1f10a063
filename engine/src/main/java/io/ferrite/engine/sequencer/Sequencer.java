package io.ferrite.engine.sequencer;

import io.ferrite.concurrent.Progress;
import io.ferrite.engine.EpochClock;
import io.ferrite.engine.metrics.LatencyRecorder;
import io.ferrite.engine.PublishResult;
import io.ferrite.engine.journal.Journal;
import io.ferrite.engine.journal.JournalBatch;
import io.ferrite.engine.journal.JournalClaim;
import io.ferrite.engine.journal.JournalRecord;
import io.ferrite.engine.state.DedupTable;
import io.ferrite.engine.state.DedupWindow;
import io.ferrite.protocol.EventFrame;
import io.ferrite.protocol.Wire;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Where an event becomes a journaled event: the one writer of the journal. Under one lock it
 * admits events (the engine's capacity), deduplicates them by eventId against the
 * {@link DedupWindow} it owns, gives them their journal indexes, and appends them as one
 * {@link JournalBatch} — every event of a network read in one document — then publishes how far
 * the journal goes ({@link #appended()}). A failed append leaves nothing behind: its ids are
 * forgotten again, its events get JOURNAL_UNAVAILABLE.
 *
 * <p>Per event: one dedup probe and one copy of the EVENT body into the mapped journal. Per batch:
 * one lock, one clock read, one journal claim and commit, and the window's evictions.
 *
 * <p>Thread-safety: thread-safe; callers take turns on the lock (event loops, embedded
 * publishers). A {@link #claim} holds it until its commit or abort, which must come from the same
 * thread. {@link #appended()} from any thread (acquire).
 */
public final class Sequencer {
    /** The most events one {@link EventBatch} may hold: the dedup window keeps room for them while a batch is open. */
    public static final int MAX_BATCH_EVENTS = 16_384;
    /** Events whose dedup slots are brought into cache together, ahead of their lookups. */
    private static final int PREFETCH = 512;

    private final Journal journal;
    private final DedupWindow dedup;
    private final LongSupplier processedByLastStage;
    private final long capacity;
    private final int maxPayloadLength;
    private final int maxBatchBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final LatencyRecorder appendLatency = new LatencyRecorder();
    private final JournalClaim journalClaim = new JournalClaim();
    /** The index the next record gets, published with release after each commit: every record below it is journaled. */
    private final Progress appended;
    private final Progress duplicates = new Progress();
    private final Progress rejected = new Progress();
    private final Progress backPressured = new Progress();
    private final Progress journalUnavailable = new Progress();
    private final Progress batches = new Progress();
    /** A lower bound of the last stage's progress: it only grows, so any value once read stays a bound. */
    private long processedBound;
    private volatile boolean closed;

    /** Scratch for a batch's eventIds, to prefetch their dedup slots in one pass. */
    private final long[] prefetchIds = new long[PREFETCH];
    /** What the prefetch loads sum to: kept so that the JIT keeps the loads. */
    private long prefetched;

    // claim in progress (lock held)
    private long claimDedupMark = -1;
    private int claimMillis;

    /**
     * @param dedup                 the window, or null when dedup is off
     * @param processedByLastStage  the last stage's next index: in-flight events are {@code appended - that}
     * @param capacity              most events in flight before publishing is back-pressured
     */
    public Sequencer(Journal journal, DedupWindow dedup, LongSupplier processedByLastStage, long capacity,
                     int maxPayloadLength) {
        this.journal = journal;
        this.dedup = dedup;
        this.processedByLastStage = processedByLastStage;
        this.capacity = capacity;
        this.maxPayloadLength = Math.min(maxPayloadLength, journal.maxPayloadLength());
        this.maxBatchBytes = journal.maxBatchBytes();
        this.appended = new Progress(journal.nextIndex());
        this.processedBound = processedByLastStage.getAsLong();
    }

    /**
     * Appends the events of {@code batch} that have no outcome yet, in order, as far as capacity
     * allows (see {@link EventBatch} for the outcomes).
     *
     * @return events that got an outcome in this call
     */
    public int append(EventBatch batch) {
        long entered = System.nanoTime(); // batches (a network read each) are timed; single publishes are not
        lock.lock();
        try {
            int start = batch.appended();
            if (closed) {
                for (int i = start; i < batch.count(); i++) {
                    batch.outcome(i, PublishResult.CLOSED, false);
                }
                batch.appendedUpTo(batch.count());
                return batch.count() - start;
            }
            long now = System.nanoTime();
            long epochNow = EpochClock.epochNanos(now);
            int millis = expire(now);
            int next = start;
            while (next < batch.count()) {
                int end = appendJournalBatch(batch, next, now, epochNow, millis);
                if (end == next) {
                    break; // back-pressured: nothing more fits now
                }
                next = end;
            }
            batch.appendedUpTo(next);
            if (next > start) {
                appendLatency.beginBatch(); // one writer at a time: under the lock
                appendLatency.record(System.nanoTime() - entered);
                appendLatency.endBatch();
            }
            return next - start;
        } finally {
            lock.unlock();
        }
    }

    /**
     * How long appending a batch took, lock wait included: publish to journaled for the server's
     * reads (in SYNC mode, before the group commit). Single-event publishes are not timed: two clock
     * reads would cost an embedded publish a fifth of its time.
     */
    public LatencyRecorder appendLatency() {
        return appendLatency;
    }

    /**
     * One journal batch from events {@code from ..}: decides each event's fate (too large,
     * duplicate, or a new index) until the batch is full or the engine is, then writes the new
     * ones in one claim.
     *
     * @return the first event left for the next journal batch; {@code from} when nothing could be taken
     */
    private int appendJournalBatch(EventBatch batch, int from, long now, long epochNow, int millis) {
        MemorySegment memory = batch.memory();
        long firstIndex = journal.nextIndex();
        long mark = dedup == null ? -1 : dedup.mark();
        int accepted = 0;
        int bytes = 0;
        int prefetchedUpTo = from;
        int i = from;
        for (; i < batch.count(); i++) {
            if (i == prefetchedUpTo && dedup != null) {
                prefetchedUpTo = prefetch(batch, i);
            }
            int bodyLength = batch.bodyLength(i);
            if (bodyLength - EventFrame.HEADER_LENGTH > maxPayloadLength) {
                batch.outcome(i, PublishResult.REJECTED, false);
                rejected.incrementRelease();
                continue;
            }
            int recordBytes = JournalBatch.recordBytes(JournalRecord.EVENT_OFFSET + bodyLength);
            if (accepted > 0 && bytes + recordBytes > maxBatchBytes) {
                break; // this journal batch is full; the event opens the next one
            }
            long index = firstIndex + accepted;
            if (!admit(index)) {
                break;
            }
            long eventId = memory.get(Wire.U64, batch.bodyOffset(i) + EventFrame.EVENT_ID_OFFSET);
            if (eventId != 0 && dedup != null) {
                long original = dedup.putIfAbsent(eventId, index, millis);
                if (original != DedupTable.ABSENT) {
                    batch.outcome(i, original, true);
                    duplicates.incrementRelease();
                    continue;
                }
            }
            batch.outcome(i, index, false);
            accepted++;
            bytes += recordBytes;
        }
        if (accepted == 0) {
            return i; // nothing new (all duplicates or rejects), or back-pressured at from
        }
        long claimed = journal.claim(accepted, bytes, epochNow, journalClaim);
        if (claimed == 0) {
            try {
                writeRecords(batch, from, i, firstIndex, now, epochNow);
            } catch (RuntimeException | InternalError fault) { // InternalError: a mapped page the disk cannot back
                claimed = journal.writeFailed(journalClaim, fault);
            }
            if (claimed == 0) {
                claimed = journalClaim.commit();
            }
        }
        if (claimed != 0) {
            return failed(batch, from, i, mark, claimed);
        }
        published(millis);
        return i;
    }

    /** Brings the dedup slots of events {@code from ..} (and of what they will evict) into cache; returns where it stopped. */
    private int prefetch(EventBatch batch, int from) {
        int to = Math.min(batch.count(), from + PREFETCH);
        MemorySegment memory = batch.memory();
        for (int i = from; i < to; i++) {
            prefetchIds[i - from] = memory.get(Wire.U64, batch.bodyOffset(i) + EventFrame.EVENT_ID_OFFSET);
        }
        prefetched += dedup.prefetch(prefetchIds, to - from);
        return to;
    }

    /** Copies each accepted event's body after its publish stamp, stamping a zero timestamp. */
    private void writeRecords(EventBatch batch, int from, int to, long firstIndex, long now, long epochNow) {
        MemorySegment source = batch.memory();
        MemorySegment target = journalClaim.memory();
        long at = journalClaim.recordsOffset();
        for (int i = from; i < to; i++) {
            if (batch.duplicate(i) || batch.result(i) < firstIndex) {
                continue; // a duplicate, or a reject
            }
            int bodyLength = batch.bodyLength(i);
            int recordLength = JournalRecord.EVENT_OFFSET + bodyLength;
            JournalBatch.recordLength(target, at, recordLength);
            long record = at + JournalBatch.RECORD_LENGTH_PREFIX;
            target.set(Wire.U64, record + JournalRecord.PUBLISH_NANOS_OFFSET, now);
            MemorySegment.copy(source, batch.bodyOffset(i), target, record + JournalRecord.EVENT_OFFSET, bodyLength);
            long timestamp = record + JournalRecord.EVENT_OFFSET + EventFrame.TIMESTAMP_OFFSET;
            if (target.get(Wire.U64, timestamp) == 0) {
                target.set(Wire.U64, timestamp, epochNow);
            }
            at = record + recordLength;
        }
    }

    /**
     * The journal refused the batch: its ids are forgotten, its events and every later one of the
     * network batch get the refusal (JOURNAL_UNAVAILABLE), except a full memory ring, which is back
     * pressure: those events are offered again later.
     */
    private int failed(EventBatch batch, int from, int to, long mark, long code) {
        if (dedup != null) {
            dedup.rollbackTo(mark);
        }
        if (code == PublishResult.BACK_PRESSURED) {
            backPressured.incrementRelease();
            return from;
        }
        journalUnavailable.incrementRelease();
        for (int i = from; i < batch.count(); i++) {
            if (!(i < to && batch.result(i) == PublishResult.REJECTED)) {
                batch.outcome(i, code, false);
            }
        }
        return batch.count();
    }

    /**
     * Publishes one event from separate fields (the embedded API).
     *
     * @return its journal index (a duplicate's: the original's), or a negative {@code PublishResult} code
     */
    public long append(long correlationId, int type, long key, long eventId, long timestampNanos, int priority,
                       MemorySegment payload, long payloadOffset, int payloadLength) {
        if (!EventFrame.isValidPriority(priority) || payloadLength < 0 || payloadLength > maxPayloadLength) {
            rejected.incrementRelease();
            return PublishResult.REJECTED;
        }
        lock.lock();
        try {
            long index = open(eventId, payloadLength, correlationId, type, key, timestampNanos, priority);
            if (index < 0 || journalClaim.firstIndex() != index || !journalClaim.isOpen()) {
                return index;
            }
            try {
                MemorySegment.copy(payload, payloadOffset, journalClaim.memory(), payloadAt(), payloadLength);
            } catch (RuntimeException | InternalError fault) { // a mapped page the disk cannot back
                return writeFailed(fault);
            }
            return commitOpen();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Claims journal space for one event whose payload the caller writes in place
     * ({@link #claimedMemory()} at {@link #claimedPayloadOffset()}), then {@link #commitClaim()}
     * or {@link #abortClaim()} on this thread; the lock is held until then.
     *
     * @return the index the event will have (≥ 0; then the claim is open), the original's index of
     * a duplicate or a negative code (then nothing is open)
     */
    public long claim(long correlationId, int type, long key, long eventId, long timestampNanos, int priority,
                      int payloadLength) {
        if (!EventFrame.isValidPriority(priority) || payloadLength < 0 || payloadLength > maxPayloadLength) {
            rejected.incrementRelease();
            return PublishResult.REJECTED;
        }
        lock.lock();
        boolean open = false;
        try {
            long index = open(eventId, payloadLength, correlationId, type, key, timestampNanos, priority);
            open = index >= 0 && journalClaim.isOpen() && journalClaim.firstIndex() == index;
            return index;
        } finally {
            if (!open) {
                lock.unlock();
            }
        }
    }

    /** Whether this thread holds an open claim for the event at {@code index} (after {@link #claim}). */
    public boolean claimOpenFor(long index) {
        return lock.isHeldByCurrentThread() && journalClaim.isOpen() && journalClaim.firstIndex() == index;
    }

    /** The claimed event's payload memory (between {@link #claim} and its commit or abort). */
    public MemorySegment claimedMemory() {
        return journalClaim.memory();
    }

    public long claimedPayloadOffset() {
        return payloadAt();
    }

    /** Makes the claimed event visible; returns its index or JOURNAL_UNAVAILABLE. Releases the lock. */
    public long commitClaim() {
        try {
            return commitOpen();
        } finally {
            lock.unlock();
        }
    }

    /** Drops the claimed event (its id is forgotten). Releases the lock. */
    public void abortClaim() {
        try {
            journalClaim.abort();
            if (dedup != null) {
                dedup.rollbackTo(claimDedupMark);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lock held: admits one event and opens a journal batch of one for it, header written.
     *
     * @return its index with the claim open; a duplicate's original index (claim not open); or a code
     */
    private long open(long eventId, int payloadLength, long correlationId, int type, long key, long timestampNanos,
                      int priority) {
        if (closed) {
            return PublishResult.CLOSED;
        }
        long index = journal.nextIndex();
        if (!admit(index)) {
            return PublishResult.BACK_PRESSURED;
        }
        long now = System.nanoTime();
        claimMillis = expire(now);
        claimDedupMark = dedup == null ? -1 : dedup.mark();
        if (eventId != 0 && dedup != null) {
            long original = dedup.putIfAbsent(eventId, index, claimMillis);
            if (original != DedupTable.ABSENT) {
                duplicates.incrementRelease();
                return original;
            }
        }
        int recordLength = JournalRecord.HEADER_LENGTH + payloadLength;
        long epochNow = EpochClock.epochNanos(now);
        long claimed = journal.claim(1, JournalBatch.recordBytes(recordLength), epochNow, journalClaim);
        if (claimed != 0) {
            if (dedup != null) {
                dedup.rollbackTo(claimDedupMark);
            }
            (claimed == PublishResult.BACK_PRESSURED ? backPressured : journalUnavailable).incrementRelease();
            return claimed;
        }
        MemorySegment target = journalClaim.memory();
        long at = journalClaim.recordsOffset();
        try {
            JournalBatch.recordLength(target, at, recordLength);
            JournalRecord.writeHeader(target, at + JournalBatch.RECORD_LENGTH_PREFIX, now, correlationId, eventId, key,
                timestampNanos != 0 ? timestampNanos : epochNow, type, priority);
        } catch (RuntimeException | InternalError fault) { // a mapped page the disk cannot back
            return writeFailed(fault);
        }
        return index;
    }

    /** Lock held, claim open: writing into it faulted; drops it and forgets its id. */
    private long writeFailed(Throwable fault) {
        long code = journal.writeFailed(journalClaim, fault);
        if (dedup != null) {
            dedup.rollbackTo(claimDedupMark);
        }
        journalUnavailable.incrementRelease();
        return code;
    }

    private long payloadAt() {
        return journalClaim.recordsOffset() + JournalBatch.RECORD_LENGTH_PREFIX + JournalRecord.HEADER_LENGTH;
    }

    /** Lock held, claim open: commits it; the index, or JOURNAL_UNAVAILABLE (its id forgotten). */
    private long commitOpen() {
        long index = journalClaim.firstIndex();
        long committed = journalClaim.commit();
        if (committed != 0) {
            if (dedup != null) {
                dedup.rollbackTo(claimDedupMark);
            }
            journalUnavailable.incrementRelease();
            return committed;
        }
        published(claimMillis);
        return index;
    }

    /** Lock held, before a batch's lookups: ids older than the window's max age leave; returns the window's clock. */
    private int expire(long nanoTime) {
        if (dedup == null) {
            return 0;
        }
        int millis = dedup.millisAt(nanoTime);
        dedup.expire(millis);
        return millis;
    }

    /** Lock held, after a commit: publishes the new end of the journal, lets old ids go. */
    private void published(int millis) {
        appended.setRelease(journal.nextIndex());
        batches.incrementRelease();
        if (dedup != null) {
            dedup.evict(millis);
        }
    }

    /** Lock held: whether the event at {@code index} fits the engine's capacity. */
    private boolean admit(long index) {
        if (index - processedBound < capacity) {
            return true;
        }
        processedBound = processedByLastStage.getAsLong();
        if (index - processedBound < capacity) {
            return true;
        }
        backPressured.incrementRelease();
        return false;
    }

    /** Every record below this index is journaled (acquire). */
    public long appended() {
        return appended.getAcquire();
    }

    /** Stops appending: every later call answers CLOSED. Waits for an append in progress to finish. */
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Events found in the dedup window since the start. */
    public long duplicates() {
        return duplicates.getAcquire();
    }

    /** Events refused for breaking a rule (priority, payload size). */
    public long rejected() {
        return rejected.getAcquire();
    }

    /** Times an event did not fit the engine's capacity (or a full memory ring). */
    public long backPressured() {
        return backPressured.getAcquire();
    }

    /** Journal batches that could not be written. */
    public long journalUnavailable() {
        return journalUnavailable.getAcquire();
    }

    /** Journal batches written. */
    public long batches() {
        return batches.getAcquire();
    }

    /** The dedup window, or null. Its state belongs to this sequencer: read it only for statistics. */
    public DedupWindow dedup() {
        return dedup;
    }
}
