package io.ferrite.pipeline.windows;

import org.HdrHistogram.Histogram;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The open panes of every group, off the heap: an open-addressing table (linear probing,
 * backward-shift deletion) of groups, each with a ring of panes — one slide of event time each —
 * holding count, sum, min and max of the field. A window is the sum of its panes. At most {@code
 * maxGroups} groups are kept apart; events of further groups go to one more entry, "other", so
 * totals stay right when there are too many groups to tell apart. Memory is fixed at start:
 * {@code (16 + 16 × panes) × 2 × maxGroups} bytes for counts, {@code (16 + 40 × panes) × …} with a
 * field; no allocation per event (but a histogram the first time a pane of a group records a
 * percentile, reused after).
 *
 * <p>Thread-safety: single-threaded (the window stage).
 */
final class WindowTable implements AutoCloseable {
    private static final long KEY = 0;
    private static final long USED = 8;
    private static final long PANES = 16;
    /** Within a pane: its number (event time / slide), count, then with a field sum, min, max. */
    private static final long NUMBER = 0;
    private static final long COUNT = 8;
    private static final long SUM = 16;
    private static final long MIN = 24;
    private static final long MAX = 32;
    private static final long NO_PANE = Long.MIN_VALUE;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private final int ring;
    private final long entryBytes;
    private final int paneBytes;
    private final boolean values;
    private final int capacity;
    private final int mask;
    private final int maxGroups;
    /** The entry past the hash table: every group beyond maxGroups. */
    final int other;
    private final Histogram[] histograms;
    private int size;
    private long overflowed;

    /**
     * @param ring        panes kept per group (those of the longest window, and of the grace, and one)
     * @param values      whether there is a field (sum, min, max kept), or only counts
     * @param percentiles whether panes keep a histogram of the field
     */
    WindowTable(int maxGroups, int ring, boolean values, boolean percentiles) {
        this.maxGroups = maxGroups;
        this.ring = ring;
        this.values = values;
        this.paneBytes = values ? 40 : 16; // a count-only group of 3 panes fills one cache line
        this.entryBytes = PANES + (long) paneBytes * ring;
        this.capacity = Integer.highestOneBit(Math.max(2, maxGroups) * 2 - 1) << 1;
        this.mask = capacity - 1;
        this.other = capacity;
        this.memory = arena.allocate(entryBytes * (capacity + 1), 64);
        for (int entry = 0; entry <= capacity; entry++) {
            clear(entry);
        }
        memory.set(ValueLayout.JAVA_LONG, entryBytes * other + USED, 1);
        this.histograms = percentiles ? new Histogram[(capacity + 1) * ring] : null;
    }

    private void clear(int entry) {
        long at = entryBytes * entry;
        memory.set(ValueLayout.JAVA_LONG, at + USED, 0);
        for (int pane = 0; pane < ring; pane++) {
            memory.set(ValueLayout.JAVA_LONG, at + PANES + (long) pane * paneBytes + NUMBER, NO_PANE);
        }
    }

    /** The entry of {@code group}, made when new; {@link #other} when the table holds maxGroups already. */
    int entryOf(long group) {
        int entry = (int) mix(group) & mask;
        while (used(entry)) {
            if (memory.get(ValueLayout.JAVA_LONG, entryBytes * entry + KEY) == group) {
                return entry;
            }
            entry = (entry + 1) & mask;
        }
        if (size >= maxGroups) {
            overflowed++;
            return other;
        }
        long at = entryBytes * entry;
        memory.set(ValueLayout.JAVA_LONG, at + KEY, group);
        memory.set(ValueLayout.JAVA_LONG, at + USED, 1);
        size++;
        return entry;
    }

    /**
     * Adds one event to pane {@code pane} of {@code entry}: its field {@code value} (NaN: none, it counts).
     *
     * @return false when the ring's place for that pane holds a newer pane (the event is too late)
     */
    boolean add(int entry, long pane, double value) {
        int place = (int) Math.floorMod(pane, (long) ring);
        long at = entryBytes * entry + PANES + (long) place * paneBytes;
        long held = memory.get(ValueLayout.JAVA_LONG, at + NUMBER);
        if (held != pane) {
            if (held != NO_PANE && held > pane) {
                return false;
            }
            memory.set(ValueLayout.JAVA_LONG, at + NUMBER, pane);
            memory.set(ValueLayout.JAVA_LONG, at + COUNT, 0);
            if (values) {
                memory.set(ValueLayout.JAVA_DOUBLE, at + SUM, 0);
                memory.set(ValueLayout.JAVA_DOUBLE, at + MIN, Double.POSITIVE_INFINITY);
                memory.set(ValueLayout.JAVA_DOUBLE, at + MAX, Double.NEGATIVE_INFINITY);
            }
            if (histograms != null && histograms[entry * ring + place] != null) {
                histograms[entry * ring + place].reset();
            }
        }
        memory.set(ValueLayout.JAVA_LONG, at + COUNT, memory.get(ValueLayout.JAVA_LONG, at + COUNT) + 1);
        if (values && !Double.isNaN(value)) {
            memory.set(ValueLayout.JAVA_DOUBLE, at + SUM, memory.get(ValueLayout.JAVA_DOUBLE, at + SUM) + value);
            if (value < memory.get(ValueLayout.JAVA_DOUBLE, at + MIN)) {
                memory.set(ValueLayout.JAVA_DOUBLE, at + MIN, value);
            }
            if (value > memory.get(ValueLayout.JAVA_DOUBLE, at + MAX)) {
                memory.set(ValueLayout.JAVA_DOUBLE, at + MAX, value);
            }
            if (histograms != null && value >= 0) {
                Histogram histogram = histograms[entry * ring + place];
                if (histogram == null) {
                    histogram = new Histogram(1L << 40, 2); // a pane's first value: reused by later panes here
                    histograms[entry * ring + place] = histogram;
                }
                histogram.recordValue(Math.min(Math.round(value), 1L << 40));
            }
        }
        return true;
    }

    /**
     * Sums the panes {@code first..last} of {@code entry} into {@code into}.
     *
     * @return whether any of them holds an event
     */
    boolean sum(int entry, long first, long last, Aggregate into) {
        into.reset();
        for (int place = 0; place < ring; place++) {
            long at = entryBytes * entry + PANES + (long) place * paneBytes;
            long pane = memory.get(ValueLayout.JAVA_LONG, at + NUMBER);
            if (pane == NO_PANE || pane < first || pane > last) {
                continue;
            }
            if (values) {
                into.add(memory.get(ValueLayout.JAVA_LONG, at + COUNT), memory.get(ValueLayout.JAVA_DOUBLE, at + SUM),
                    memory.get(ValueLayout.JAVA_DOUBLE, at + MIN), memory.get(ValueLayout.JAVA_DOUBLE, at + MAX),
                    histograms == null ? null : histograms[entry * ring + place]);
            } else {
                into.count += memory.get(ValueLayout.JAVA_LONG, at + COUNT);
            }
        }
        return into.count > 0;
    }

    /**
     * Removes the groups with no pane from {@code keepFrom} on (a group that comes back is made
     * again). Called as windows close: with {@code keepFrom} a few windows back, groups seen in
     * every window stay put (no churn), and those gone quiet leave room for new ones.
     */
    void dropBefore(long keepFrom) {
        for (int entry = 0; entry < capacity; entry++) {
            while (used(entry) && !liveFrom(entry, keepFrom)) {
                remove(entry); // the next entry may shift into this one: look again
            }
        }
    }

    /** Whether the table holds nine tenths of the groups it may keep apart. */
    boolean nearlyFull() {
        return size * 10L >= maxGroups * 9L;
    }

    private boolean liveFrom(int entry, long oldestLive) {
        for (int place = 0; place < ring; place++) {
            long pane = memory.get(ValueLayout.JAVA_LONG, entryBytes * entry + PANES + (long) place * paneBytes + NUMBER);
            if (pane != NO_PANE && pane >= oldestLive) {
                return true;
            }
        }
        return false;
    }

    /** Backward-shift deletion: later entries of the same probe run move up, so lookups need no tombstones. */
    private void remove(int entry) {
        int hole = entry;
        int next = (hole + 1) & mask;
        while (used(next)) {
            int home = (int) mix(memory.get(ValueLayout.JAVA_LONG, entryBytes * next + KEY)) & mask;
            if (((next - home) & mask) >= ((next - hole) & mask)) { // home at or before the hole: it may move up
                MemorySegment.copy(memory, entryBytes * next, memory, entryBytes * hole, entryBytes);
                if (histograms != null) {
                    System.arraycopy(histograms, next * ring, histograms, hole * ring, ring);
                    java.util.Arrays.fill(histograms, next * ring, next * ring + ring, null);
                }
                hole = next;
            }
            next = (next + 1) & mask;
        }
        clear(hole);
        if (histograms != null) {
            java.util.Arrays.fill(histograms, hole * ring, hole * ring + ring, null);
        }
        size--;
    }

    private boolean used(int entry) {
        return memory.get(ValueLayout.JAVA_LONG, entryBytes * entry + USED) != 0;
    }

    /** The entries in use, {@link #other} last, to {@code visit}. */
    void forEachEntry(java.util.function.IntConsumer visit) {
        for (int entry = 0; entry < capacity; entry++) {
            if (used(entry)) {
                visit.accept(entry);
            }
        }
        visit.accept(other);
    }

    long groupOf(int entry) {
        return memory.get(ValueLayout.JAVA_LONG, entryBytes * entry + KEY);
    }

    int groups() {
        return size;
    }

    /** Events that went to "other" because maxGroups were kept apart already. */
    long overflowed() {
        return overflowed;
    }

    /** Bytes of the table. */
    long bytes() {
        return memory.byteSize();
    }

    private static long mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Count, sum, min, max (and a histogram) of some panes: a window's figures. Reused. */
    static final class Aggregate {
        long count;
        double sum;
        double min;
        double max;
        /** With percentiles only. */
        final Histogram histogram;

        Aggregate(boolean percentiles) {
            this.histogram = percentiles ? new Histogram(1L << 40, 2) : null;
        }

        void reset() {
            count = 0;
            sum = 0;
            min = Double.POSITIVE_INFINITY;
            max = Double.NEGATIVE_INFINITY;
            if (histogram != null && histogram.getTotalCount() > 0) {
                histogram.reset();
            }
        }

        void add(long count, double sum, double min, double max, Histogram values) {
            this.count += count;
            this.sum += sum;
            this.min = Math.min(this.min, min);
            this.max = Math.max(this.max, max);
            if (values != null && histogram != null) {
                histogram.add(values);
            }
        }
    }
}
