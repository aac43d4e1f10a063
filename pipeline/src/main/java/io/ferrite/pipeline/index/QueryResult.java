package io.ferrite.pipeline.index;

import java.util.List;

/**
 * What a query found: the events (the newest {@code limit}, in journal order), how many matched in
 * all, and how it was answered — from the index, by scanning (and why), or both (the index's sets
 * end a little before the journal: the events after them are scanned).
 *
 * <p>Thread-safety: immutable.
 *
 * @param hits      the events returned, in journal order
 * @param matched   events found that match: all of them when {@code complete}, else as many as the
 *                  search visited before it had the newest {@code limit}
 * @param complete  whether {@code matched} counts every match (a count was asked, or fewer than the limit exist)
 * @param scanned   events read one by one to test them (0 when the index answered alone)
 * @param how       one line: "index", or "scan: ..." saying why
 * @param tookNanos how long the query took
 */
public record QueryResult(List<Hit> hits, long matched, boolean complete, long scanned, String how, long tookNanos) {
    public QueryResult {
        hits = List.copyOf(hits);
    }

    /** One journaled event. */
    public record Hit(long index, int type, long key, long eventId, long timestampNanos, int priority, List<String> tags,
                      byte[] payload) {
    }
}
