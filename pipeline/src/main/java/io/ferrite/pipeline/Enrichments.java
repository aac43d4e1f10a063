package io.ferrite.pipeline;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an enrichment stage found for each event, for the stages after it: a ring indexed by journal
 * index, {@value #SLOTS} slots. A later stage asks with the event's index while it is fewer than
 * that many events behind the enrichment stage — the engine's capacity (65,536 by default) keeps it
 * there. Found by the enrichment stage's name.
 *
 * <p>Thread-safety: one writer (the enrichment stage); readers are later stages, which see its
 * writes because the engine hands them an event only after the stage before has released it.
 */
public final class Enrichments {
    /** Slots in the ring: twice the engine's default capacity. */
    public static final int SLOTS = 1 << 17;
    private static final Map<String, Enrichments> BY_STAGE = new ConcurrentHashMap<>();

    private final long[] indexes = new long[SLOTS];
    private final String[] values = new String[SLOTS];

    private Enrichments() {
        Arrays.fill(indexes, -1);
    }

    /** The table of the enrichment stage {@code stage} (made on first use). */
    public static Enrichments of(String stage) {
        return BY_STAGE.computeIfAbsent(stage, name -> new Enrichments());
    }

    /** A fresh table for the enrichment stage {@code stage}, replacing one an earlier pipeline left. */
    static Enrichments replace(String stage) {
        Enrichments fresh = new Enrichments();
        BY_STAGE.put(stage, fresh);
        return fresh;
    }

    /** Writer: what was found for the event at {@code index} (null: nothing). */
    void put(long index, String value) {
        int slot = (int) (index & (SLOTS - 1));
        values[slot] = value;
        indexes[slot] = index;
    }

    /** What the enrichment stage found for the event at {@code index}, or null (nothing, or no longer kept). */
    public String get(long index) {
        int slot = (int) (index & (SLOTS - 1));
        String value = values[slot];
        return indexes[slot] == index ? value : null;
    }
}
