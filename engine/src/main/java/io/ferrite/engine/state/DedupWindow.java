package io.ferrite.engine.state;

import net.openhft.chronicle.core.values.LongValue;
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
 * in memory for MEMORY durability). A publisher {@link #reserve reserves} an id before appending:
 * that takes the id's segment update lock and keeps it, so the append happens while no other
 * publisher can see or take the id; then it {@link #complete completes} the id with the index (one
 * insert, and the lock is released) or {@link #cancel cancels} it when the append failed. One map
 * lookup per new event, and no placeholder entry that a killed process could leave behind. Entries
 * leave the window through {@link #evict} (driven by the {@link DedupJanitor}).
 *
 * <p>Every operation is done under the map's segment update lock with per-thread reusable
 * key/value objects: no allocation per call.
 *
 * <p>Thread-safety: thread-safe; {@link #complete} or {@link #cancel} must follow a
 * {@link #RESERVED} answer on the same thread, with no other call of this window in between.
 */
public final class DedupWindow implements AutoCloseable {
    /** {@link #reserve}: the id was not in the window; it is now reserved for the caller. */
    public static final long RESERVED = -1;
    /** {@link #lookup}: a placeholder entry (older versions reserved ids with it); never written now. */
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
     * @return {@link #RESERVED} when the caller now owns the id (and holds its segment lock until
     * {@link #complete} or {@link #cancel}); the original journal index (≥ 0) when the id is a
     * duplicate; {@link #PENDING} only for a placeholder written by an older version of this class
     */
    public long reserve(long eventId) {
        Scratch s = scratch.get();
        if (s.held != null) {
            throw new IllegalStateException("eventId " + s.heldId + " is still reserved by this thread");
        }
        s.key.setValue(eventId);
        ExternalMapQueryContext<LongValue, LongValue, ?> context = map.queryContext(s.key);
        try {
            context.updateLock().lock();
            MapEntry<LongValue, LongValue> entry = context.entry();
            if (entry != null) {
                long existing = entry.value().getUsing(s.value).getValue();
                if (existing >= 0) {
                    duplicates.increment();
                }
                context.close();
                return existing;
            }
        } catch (RuntimeException | Error e) {
            context.close();
            throw e;
        }
        s.held = context;
        s.heldId = eventId;
        return RESERVED;
    }

    /** Records the journal index of the id this thread reserved, and releases its lock. */
    public void complete(long eventId, long index) {
        Scratch s = scratch.get();
        ExternalMapQueryContext<LongValue, LongValue, ?> context = held(s, eventId);
        try {
            s.value.setValue(index);
            context.insert(context.absentEntry(), context.wrapValueAsData(s.value));
        } finally {
            s.held = null;
            context.close();
        }
    }

    /** Forgets the id this thread reserved (its append failed), so a retry is not mistaken for a duplicate. */
    public void cancel(long eventId) {
        Scratch s = scratch.get();
        ExternalMapQueryContext<LongValue, LongValue, ?> context = held(s, eventId);
        s.held = null;
        context.close();
    }

    private static ExternalMapQueryContext<LongValue, LongValue, ?> held(Scratch s, long eventId) {
        if (s.held == null || s.heldId != eventId) {
            throw new IllegalStateException("eventId " + eventId + " is not reserved by this thread");
        }
        return s.held;
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

    /** Placeholders an older version left (it wrote PENDING before appending); they would block retries. */
    private void dropPendingReservations() {
        List<Long> pending = new ArrayList<>();
        map.forEachEntry(entry -> {
            if (entry.value().get().getValue() == PENDING) {
                pending.add(entry.key().get().getValue());
            }
        });
        for (long eventId : pending) {
            removeIf(eventId, PENDING);
        }
    }

    /** Per-thread reusable key and values. */
    private static final class Scratch {
        final LongValue key = Values.newHeapInstance(LongValue.class);
        final LongValue value = Values.newHeapInstance(LongValue.class);
        final LongValue spare = Values.newHeapInstance(LongValue.class);
        /** The query context of the id this thread has reserved (its segment lock held), or null. */
        ExternalMapQueryContext<LongValue, LongValue, ?> held;
        long heldId;
    }
}
