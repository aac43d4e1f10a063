package io.ferrite.pipeline.lanes;

import io.ferrite.concurrent.Progress;
import io.ferrite.engine.DeferredHandler;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;
import io.ferrite.engine.IdleKind;
import io.ferrite.offheap.ConcurrentSlabPool;
import io.ferrite.pipeline.completion.CompletionRing;
import io.ferrite.pipeline.completion.OwnThread;
import io.ferrite.offheap.SlabConfig;
import io.ferrite.offheap.SingleOwnerSlabPool;
import io.ferrite.offheap.SlabPool;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.jctools.queues.SpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * Four priority lanes in front of a stage's handler. On the stage thread, {@link #onEvent} copies
 * each event into a slab slot and offers it to the lane of its priority (a JCTools SPSC queue);
 * a {@link LaneWorker} hands the events to the handler, strictly by priority with an
 * anti-starvation quota for the lowest lane. So an urgent event overtakes a backlog of bulk ones
 * instead of waiting behind it. The worker runs on the stage thread between its reads (the
 * default: for up to 50 µs at a time, so new events are taken in promptly), or on a thread of its
 * own ({@link LaneSpec#ownThread()}).
 *
 * <p>Events finish out of journal order, so a {@link CompletionRing} numbers what the lanes take
 * in and knows the oldest unfinished event: {@link #finishedBelow()}. The engine holds the next stage
 * and the checkpoint there (see {@link DeferredHandler}): after a crash, what was in the lanes is
 * handled again. Sequences live in a ring twice the slots; when the slots are all taken or the
 * oldest unfinished event is a ring behind, the stage thread hands events to the handler itself
 * (on the stage thread) or waits for the worker (own thread).
 *
 * <p>Memory: {@code slots × slotBytes} off-heap; on the heap per slot an item and four queue
 * cells, and per ring position an index and a flag; two wide slots, made when a record does not
 * fit a narrow one, as large as the largest such record (rounded up to a power of two).
 *
 * <p>Thread-safety: {@link #onStart}, {@link #onEvent}, {@link #doDeferredWork}, {@link #onClose}
 * on the stage thread; the handler runs on one thread only (the stage's or the worker's); figures
 * from any thread.
 */
public final class PriorityLanes implements DeferredHandler {
    private static final Logger LOG = LoggerFactory.getLogger(PriorityLanes.class);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** On the stage thread: how long the lanes are worked before the stage reads new events again. */
    static final long READ_AGAIN_AFTER_NANOS = 50_000;

    private final String name;
    private final LaneSpec spec;
    private final EventHandler handler;
    private final SlabPool narrow;
    /** Slots for records larger than the narrow ones: made on the first such record, grown when one is larger. */
    private SlabPool wide;
    private final LaneItem[] items;
    /** Which events are finished, in any order; what the engine may pass. */
    private final CompletionRing ring;
    @SuppressWarnings("unchecked")
    private final SpscArrayQueue<LaneItem>[] lanes = new SpscArrayQueue[LaneSpec.LANES];
    private final Progress[] handled = new Progress[LaneSpec.LANES];
    /** Times the stage thread found no room and waited for the worker. */
    private final Progress fullWaits = new Progress(0);
    private final IdleStrategy roomIdle = IdleKind.BACKOFF.newStrategy();
    private final LaneWorker worker;
    private AgentRunner runner;
    private volatile boolean closing;

    /** @param name the stage's name (the worker thread is {@code NAME-lanes}) */
    public PriorityLanes(String name, LaneSpec spec, EventHandler handler) {
        this.name = name;
        this.spec = spec;
        this.handler = handler;
        int inFlight = spec.slots() + LaneSpec.WIDE_SLOTS;
        this.ring = new CompletionRing(inFlight * 2);
        this.items = new LaneItem[inFlight]; // one per slot, narrow then wide
        for (int i = 0; i < inFlight; i++) {
            items[i] = new LaneItem();
        }
        for (int lane = 0; lane < LaneSpec.LANES; lane++) {
            lanes[lane] = new SpscArrayQueue<>(inFlight);
            handled[lane] = new Progress(0);
        }
        this.narrow = pool(spec, SlabConfig.of(spec.slotBytes(), spec.slots()));
        this.worker = new LaneWorker(name + "-lanes", handler, lanes, spec.lowestEvery(), ring, this);
    }

    /** Slots freed by the worker thread need the lock-free pool; on the stage thread alone, the single-owner one. */
    private static SlabPool pool(LaneSpec spec, SlabConfig config) {
        SlabConfig unchecked = config.withChecked(false);
        return spec.ownThread() ? new ConcurrentSlabPool(unchecked) : new SingleOwnerSlabPool(unchecked);
    }

    @Override
    public void completionsTo(Completions completions) {
        worker.completionsTo(completions);
    }

    @Override
    public void onStart() {
        if (!spec.ownThread()) {
            worker.onStart();
            return;
        }
        runner = OwnThread.start(worker, IdleKind.BACKOFF.newStrategy());
    }

    /** Stage thread: copies the event into a slot and offers it to its lane; waits while there is no room. */
    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) {
        int length = (int) event.recordLength();
        SlabPool pool = length <= narrow.slotSize() ? narrow : widePool(length);
        int slot = awaitRoom(pool);
        MemorySegment.copy(event.memory(), event.recordOffset(), pool.memory(), pool.offset(slot), length);
        LaneItem item = items[pool == narrow ? slot : narrow.capacity() + slot];
        item.sequence = ring.take(index);
        item.index = index;
        item.priority = event.priority();
        item.pool = pool;
        item.slot = slot;
        item.length = length;
        if (!lanes[item.priority].offer(item)) { // each queue holds every slot: cannot be full
            throw new IllegalStateException("lane " + item.priority + " refused an event: a bug");
        }
    }

    /**
     * The wide slots, made (or remade larger, once none is in use) for a record of {@code length}
     * bytes: sized to the next power of two, so a stage meets few sizes. Allocates, but only when
     * a record is larger than any before.
     */
    private SlabPool widePool(int length) {
        if (wide != null && length <= wide.slotSize()) {
            return wide;
        }
        if (wide != null) {
            while (wide.available() < wide.capacity()) { // an event waits in one (2 slots: cheap to count)
                awaitRoom(null);
            }
            wide.close();
        }
        int bytes = Math.max(64 << 10, Integer.highestOneBit(length - 1) << 1);
        wide = pool(spec, SlabConfig.of(bytes, LaneSpec.WIDE_SLOTS));
        return wide;
    }

    /**
     * Takes a ring position and a slot of {@code pool}; when there is none, hands one event to the
     * handler (stage thread) or waits for the worker (own thread). With {@code pool} null, only makes
     * one such step towards room and returns {@link SlabPool#EXHAUSTED}.
     */
    private int awaitRoom(SlabPool pool) {
        boolean counted = false;
        while (true) {
            if (pool != null && ring.hasRoom()) {
                int slot = pool.allocate();
                if (slot != SlabPool.EXHAUSTED) {
                    roomIdle.reset();
                    return slot;
                }
            }
            if (!counted && pool != null) {
                fullWaits.incrementRelease();
                counted = true;
            }
            boolean handledOne = !spec.ownThread() && worker.doWork(1) > 0;
            if (!handledOne) {
                if (closing || Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("stage " + name + " closed while its lanes were full");
                }
                roomIdle.idle();
            }
            if (pool == null) {
                return SlabPool.EXHAUSTED;
            }
        }
    }

    @Override
    public long finishedBelow() {
        return ring.finishedBelow();
    }

    Progress handledCounter(int lane) {
        return handled[lane];
    }

    /**
     * Stage thread, between reads: on the stage thread's lanes, hands events to the handler by
     * priority until the lanes are empty or {@link #READ_AGAIN_AFTER_NANOS} have passed, then lets
     * the stage read again: a new urgent event waits at most that long plus one handler call, and
     * quick handlers still get many events per duty cycle. (One event per cycle kept the lanes full
     * under sustained load; 64 per cycle let a new urgent event wait 64 handler calls.)
     */
    @Override
    public int doDeferredWork() {
        if (spec.ownThread()) {
            return 0;
        }
        long start = System.nanoTime();
        int done = 0;
        while (worker.doWork(1) == 1) {
            done++;
            if (System.nanoTime() - start >= READ_AGAIN_AFTER_NANOS) {
                break;
            }
        }
        return done;
    }

    @Override
    public void onClose() {
        if (!spec.ownThread()) {
            closeOnStageThread();
            return;
        }
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (ring.unfinished() > 0 && System.nanoTime() - deadline < 0) {
            roomIdle.idle();
        }
        long left = ring.unfinished();
        if (left > 0) {
            LOG.warn("stage {}: {} events still in its lanes after {} s; they are handled again after a restart",
                name, left, DRAIN_TIMEOUT.toSeconds());
        }
        closing = true;
        if (runner != null) {
            runner.close(); // the worker's onClose closes the handler on the worker's thread
        }
        if (left == 0) { // else the worker may still hold slots: leak them rather than unmap under it
            narrow.close();
            if (wide != null) {
                wide.close();
            }
        }
    }

    private void closeOnStageThread() {
        try {
            while (worker.doWork(LaneWorker.BATCH) > 0) {
                // drain: the stage thread is the worker
            }
            worker.onClose();
        } finally {
            narrow.close();
            if (wide != null) {
                wide.close();
            }
        }
    }

    /** The handler the lanes feed. */
    public EventHandler handler() {
        return handler;
    }

    public LaneSpec spec() {
        return spec;
    }

    /** Events waiting in lane {@code lane} (a snapshot). */
    public int depth(int lane) {
        return lanes[lane].size();
    }

    /** Events of lane {@code lane} handed to the handler (acquire). */
    public long handled(int lane) {
        return handled[lane].getAcquire();
    }

    /** Times the stage thread waited because every slot was taken. */
    public long fullWaits() {
        return fullWaits.getAcquire();
    }

    /** Off-heap bytes of the narrow slots (the wide ones, made for larger records, come on top). */
    public long offHeapBytes() {
        return (long) narrow.capacity() * narrow.slotSize();
    }
}
