package io.ferrite.pipeline.actions;

import io.ferrite.engine.state.StateMaps;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.values.Values;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The actions an action stage has completed (or given up on), persisted in a Chronicle Map beside
 * the journal, so that when a restart replays events from the stage's checkpoint, a completed
 * action is not fired again. Keyed by a 64-bit hash of (eventId, action); holds the last
 * {@code window} completions by journal index (older ones are far behind the checkpoint, which
 * moves every {@code --checkpoint-every} events, so they cannot be replayed).
 *
 * <p>What it cannot prevent: an action the receiver completed just before a kill, whose entry was
 * not yet written — it runs again, with the same {@code Idempotency-Key}.
 *
 * <p>Thread-safety: the executor thread only.
 */
final class ActionLedger implements AutoCloseable {
    private final Path file;
    private final ChronicleMap<LongValue, LongValue> completed;
    private final long window;
    private final LongValue key = Values.newHeapInstance(LongValue.class);
    private final LongValue index = Values.newHeapInstance(LongValue.class);
    /** (key, journal index) in completion order, for pruning. */
    private final ArrayDeque<long[]> order = new ArrayDeque<>();

    ActionLedger(Path file, long window) {
        this.file = file;
        this.window = window;
        this.completed = StateMaps.openPersisted(file, "actions", window + window / 4);
        List<long[]> entries = new ArrayList<>();
        completed.forEach((k, v) -> entries.add(new long[] {k.getValue(), v.getValue()}));
        entries.sort(Comparator.comparingLong(entry -> entry[1]));
        order.addAll(entries);
    }

    /** Whether {@code action} of the event {@code eventId} completed before (in this run or an earlier one). */
    boolean completed(long eventId, int action) {
        key.setValue(hash(eventId, action));
        return completed.containsKey(key);
    }

    /** {@code action} of the event at {@code journalIndex} completed (or gave up); forgets the oldest beyond the window. */
    void remember(long eventId, int action, long journalIndex) {
        long hash = hash(eventId, action);
        key.setValue(hash);
        index.setValue(journalIndex);
        completed.put(key, index);
        order.add(new long[] {hash, journalIndex});
        while (order.size() > window) {
            key.setValue(order.poll()[0]);
            completed.remove(key);
        }
    }

    long size() {
        return completed.longSize();
    }

    private static long hash(long eventId, int action) {
        long h = eventId * 0x9E3779B97F4A7C15L + action * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 29);
    }

    @Override
    public void close() {
        StateMaps.close(completed, file);
    }
}
