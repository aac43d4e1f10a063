package io.ferrite.engine.journal;

import io.ferrite.concurrent.Progress;
import io.ferrite.engine.metrics.jfr.GroupCommitEvent;
import org.agrona.concurrent.Agent;

import java.util.function.LongSupplier;


/**
 * SYNC durability's group commit: one msync covers every record appended since the last one. It
 * syncs when {@code maxBatch} events are waiting, or when the oldest waiting one has waited
 * {@code maxDelayNanos}, whichever comes first; then it publishes the {@link #durableGate()}: every
 * record with a smaller index is on disk. SYNC publishers wait for it before returning, and the
 * server before it sends an ACK.
 *
 * <p>Thread-safety: {@link #doWork()} on one thread (the journal thread); {@link #durableGate()}
 * from any thread (acquire load, paired with the release store after each msync).
 */
public final class GroupCommitter implements Agent {
    private final ChronicleJournalReader syncReader;
    private final LongSupplier appended;
    private final int maxBatch;
    private final long maxDelayNanos;
    private long appendedAtLastSync;
    private long firstWaitingSeenNanos = -1;
    private long syncs;
    private final Progress durableGate = new Progress();

    /**
     * @param journal  a journal opened with {@code syncToDisk}
     * @param appended the sequencer's next index: every record below it is appended
     */
    public GroupCommitter(ChronicleJournal journal, LongSupplier appended, int maxBatch, long maxDelayNanos) {
        if (!journal.config().syncToDisk()) {
            throw new IllegalArgumentException("group commit needs a journal opened with syncToDisk");
        }
        this.syncReader = journal.newReader(false);
        this.appended = appended;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = maxDelayNanos;
        this.appendedAtLastSync = appended.getAsLong();
    }

    /** Makes whatever an earlier process journaled durable before anything new is acknowledged. */
    @Override
    public void onStart() {
        syncNow();
    }

    @Override
    public int doWork() {
        long waiting = appended.getAsLong() - appendedAtLastSync;
        if (waiting <= 0) {
            return 0;
        }
        long now = System.nanoTime();
        if (firstWaitingSeenNanos < 0) {
            firstWaitingSeenNanos = now;
        }
        if (waiting < maxBatch && now - firstWaitingSeenNanos < maxDelayNanos) {
            return 0;
        }
        syncNow();
        return 1;
    }

    private void syncNow() {
        long appendedBefore = appended.getAsLong(); // every record below it is in the file before the msync
        GroupCommitEvent event = GroupCommitEvent.TYPE.isEnabled() ? new GroupCommitEvent() : null;
        if (event != null) {
            event.begin();
        }
        syncReader.syncAtEnd();
        if (event != null) {
            event.durableUpTo = appendedBefore;
            event.records = appendedBefore - appendedAtLastSync;
            event.commit();
        }
        appendedAtLastSync = appendedBefore;
        firstWaitingSeenNanos = -1;
        syncs++;
        durableGate.setRelease(appendedBefore);
    }

    /** Every record with an index below this is on disk. */
    public long durableGate() {
        return durableGate.getAcquire();
    }

    /** msyncs done so far (control path). */
    public long syncs() {
        return syncs;
    }

    @Override
    public void onClose() {
        syncNow();
        syncReader.close();
    }

    @Override
    public String roleName() {
        return "group-commit";
    }
}
