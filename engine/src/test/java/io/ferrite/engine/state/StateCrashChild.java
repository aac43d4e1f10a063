package io.ferrite.engine.state;

import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * The process {@link StateCrashRecoveryTest} kills: fills a checkpoint store, then holds the update
 * lock of one of its segments through a second view of the same file (as a process killed inside
 * a map operation would leave it), prints {@code READY} and waits to be killed. Nothing is closed.
 * Args: stateDir.
 */
public final class StateCrashChild {
    static final int CONSUMERS = 200;

    private StateCrashChild() {
    }

    /** The checkpoint the child stores for consumer {@code n}. */
    static long checkpointOf(int n) {
        return n * 1_000L + 7;
    }

    static String consumer(int n) {
        return "stage-" + n;
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]).resolve("checkpoints.dat");
        CheckpointStore checkpoints = CheckpointStore.open(file);
        for (int n = 0; n < CONSUMERS; n++) {
            checkpoints.slot(consumer(n)).store(checkpointOf(n));
        }
        ChronicleMap<LongValue, LongValue> secondView = ChronicleMap.of(LongValue.class, LongValue.class)
            .name("ferrite-checkpoints").entries(1024).maxBloatFactor(4.0).checksumEntries(false)
            .createPersistedTo(file.toFile());
        ExternalMapQueryContext<LongValue, LongValue, ?> context = secondView.queryContext(CheckpointStore.key(consumer(0)));
        context.updateLock().lock();

        System.out.println("READY");
        System.out.flush();
        while (true) {
            LockSupport.park();
        }
    }
}
