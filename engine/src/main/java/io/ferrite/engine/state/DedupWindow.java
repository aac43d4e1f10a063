package io.ferrite.engine.state;

import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.values.Values;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The dedup window: eventId → journal index, in a Chronicle Map (persisted beside the journal, or
 * in memory for MEMORY durability). A publisher {@link #reserve reserves} an id before appending,
 * then {@link #complete completes} it with the index, or {@link #cancel cancels} it when the append
 * failed; a concurrent publisher of the same id sees {@link #PENDING} until then. Entries leave
 * the window through {@link #evict} (driven by the {@link DedupJanitor}).
 *
 * <p>Every operation is done under the map's segment update lock with per-thread reusable
 * key/value objects: no allocation per call.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class DedupWindow implements AutoCloseable {
    /** {@link #reserve}: the id was not in the window; it is now reserved for the caller. */
    public static final long RESERVED = -1;
    /** {@link #reserve}/{@link #lookup}: another publisher reserved the id and has not finished. */
    public static final long PENDING = -2;
    /** {@link #lookup}: the id is not in the window. */
    public static final long ABSENT = -3;

    private final ChronicleMap<LongValue, LongValue> map;
    private final Path file;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    private final LongAdder duplicates = new LongAdder();

    private DedupWindow(ChronicleMap<LongValue, LongValue> map, Path file) {
        this.map = map;
        this.file = file;
    }

    /** Opens (or creates) a persisted window at {@code file} with room for {@code maxEntries}. */
    public static DedupWindow open(Path file, long maxEntries) {
        DedupWindow window = new DedupWindow(StateMaps.openPersisted(file, "ferrite-dedup", maxEntries), file);
        window.dropPendingReservations();
        return window;
    }

    /** A window held in memory only. */
    public static DedupWindow inMemory(long maxEntries) {
        return new DedupWindow(StateMaps.openInMemory("ferrite-dedup", maxEntries), null);
    }

    /**
     * Reserves {@code eventId}, or reports what the window holds for it.
     *
     * @return {@link #RESERVED} when the caller now owns the id; the original journal index (≥ 0)
     * when the id is a duplicate; {@link #PENDING} when another publisher owns it right now
     */
    public long reserve(long eventId) {
        Scratch s = scratch.get();
        s.key.setValue(eventId);
        try (ExternalMapQueryContext<LongValue, LongValue, ?> context = map.queryContext(s.key)) {
            context.updateLock().lock();
            MapEntry<LongValue, LongValue> entry = context.entry();
            if (entry != null) {
                long existing = entry.value().getUsing(s.value).getValue();
                if (existing >= 0) {
                    duplicates.increment();
                }
                return existing;
            }
            s.value.setValue(PENDING);
            context.insert(context.absentEntry(), context.wrapValueAsData(s.value));
            return RESERVED;
        }
    }

    /** Records the journal index of a reserved id. */
    public void complete(long eventId, long index) {
        Scratch s = scratch.get();
        s.key.setValue(eventId);
        s.value.setValue(index);
        try (ExternalMapQueryContext<LongValue, LongValue, ?> context = map.queryContext(s.key)) {
            context.updateLock().lock();
            MapEntry<LongValue, LongValue> entry = context.entry();
            Data<LongValue> value = context.wrapValueAsData(s.value);
            if (entry != null) {
                context.replaceValue(entry, value);
            } else {
                context.insert(context.absentEntry(), value);
            }
        }
    }

    /** Forgets a reserved id whose append failed, so a retry is not mistaken for a duplicate. */
    public void cancel(long eventId) {
        removeIf(eventId, PENDING);
    }

    /**
     * Removes {@code eventId} if it still maps to {@code index} (an id re-published after an
     * earlier eviction keeps its newer entry).
     */
    public void evict(long eventId, long index) {
        removeIf(eventId, index);
    }

    /**
     * Puts {@code eventId → index} unless the window already holds a completed index for it; used
     * when rebuilding the window from the journal after a restart.
     */
    public void restore(long eventId, long index) {
        Scratch s = scratch.get();
        s.key.setValue(eventId);
        try (ExternalMapQueryContext<LongValue, LongValue, ?> context = map.queryContext(s.key)) {
            context.updateLock().lock();
            MapEntry<LongValue, LongValue> entry = context.entry();
            s.value.setValue(index);
            if (entry == null) {
                context.insert(context.absentEntry(), context.wrapValueAsData(s.value));
            } else if (entry.value().getUsing(s.spare).getValue() < 0) {
                context.replaceValue(entry, context.wrapValueAsData(s.value));
            }
        }
    }

    /** The index held for {@code eventId}, {@link #PENDING}, or {@link #ABSENT}. */
    public long lookup(long eventId) {
        Scratch s = scratch.get();
        s.key.setValue(eventId);
        LongValue value = map.getUsing(s.key, s.value);
        return value == null ? ABSENT : value.getValue();
    }

    /** Duplicates seen by {@link #reserve} since this window was opened. */
    public long duplicates() {
        return duplicates.sum();
    }

    public long size() {
        return map.longSize();
    }

    @Override
    public void close() {
        StateMaps.close(map, file);
    }

    private void removeIf(long eventId, long expected) {
        Scratch s = scratch.get();
        s.key.setValue(eventId);
        try (ExternalMapQueryContext<LongValue, LongValue, ?> context = map.queryContext(s.key)) {
            context.updateLock().lock();
            MapEntry<LongValue, LongValue> entry = context.entry();
            if (entry != null && entry.value().getUsing(s.spare).getValue() == expected) {
                context.remove(entry);
            }
        }
    }

    /** A killed process may leave reservations that no append followed; they would block retries. */
    private void dropPendingReservations() {
        List<Long> pending = new ArrayList<>();
        map.forEachEntry(entry -> {
            if (entry.value().get().getValue() == PENDING) {
                pending.add(entry.key().get().getValue());
            }
        });
        for (long eventId : pending) {
            cancel(eventId);
        }
    }

    /** Per-thread reusable key and values. */
    private static final class Scratch {
        final LongValue key = Values.newHeapInstance(LongValue.class);
        final LongValue value = Values.newHeapInstance(LongValue.class);
        final LongValue spare = Values.newHeapInstance(LongValue.class);
    }
}
