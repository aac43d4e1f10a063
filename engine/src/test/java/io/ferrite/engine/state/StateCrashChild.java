package io.ferrite.engine.state;

import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.values.Values;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * The process {@link StateCrashRecoveryTest} kills: fills a dedup window and a checkpoint store,
 * leaves one id reserved (its segment lock held, as a process killed between reserving and
 * completing an id leaves it), holds the update lock of another dedup segment (through a second
 * view of the same file, as a process killed inside a map operation would leave it), prints
 * {@code READY} and waits to be killed. Nothing is closed. Args: stateDir.
 */
public final class StateCrashChild {
    static final long ENTRIES = 10_000;
    static final int COMPLETED = 1_000;
    static final long RESERVED_AT_KILL = COMPLETED + 1;
    static final long LOCKED_ID = 7;

    private StateCrashChild() {
    }

    /** The index the child completes {@code eventId} with. */
    static long indexOf(long eventId) {
        return eventId * 10 + 3;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path dedupFile = dir.resolve("dedup.dat");
        DedupWindow window = DedupWindow.open(dedupFile, ENTRIES);
        for (long id = 1; id <= COMPLETED; id++) {
            if (window.reserve(id) != DedupWindow.RESERVED) {
                throw new IllegalStateException("fresh id " + id + " not reserved");
            }
            window.complete(id, indexOf(id));
        }
        if (window.reserve(RESERVED_AT_KILL) != DedupWindow.RESERVED) {
            throw new IllegalStateException("fresh id " + RESERVED_AT_KILL + " not reserved");
        }
        CheckpointStore checkpoints = CheckpointStore.open(dir.resolve("checkpoints.dat"));
        checkpoints.slot("stage-a").store(123_456);
        checkpoints.slot("stage-b").store(789);

        ChronicleMap<LongValue, LongValue> secondView = ChronicleMap.of(LongValue.class, LongValue.class)
            .name("ferrite-dedup").entries(ENTRIES).maxBloatFactor(4.0).createPersistedTo(dedupFile.toFile());
        LongValue key = Values.newHeapInstance(LongValue.class);
        key.setValue(LOCKED_ID);
        ExternalMapQueryContext<LongValue, LongValue, ?> context = secondView.queryContext(key);
        context.updateLock().lock();

        System.out.println("READY");
        System.out.flush();
        while (true) {
            LockSupport.park();
        }
    }
}
