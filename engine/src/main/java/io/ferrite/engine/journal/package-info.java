/**
 * journal: where events are made durable (Chronicle Queue) or, in MEMORY mode, kept in an
 * off-heap ring ({@link io.ferrite.engine.journal.MemoryLog}). Either way a record's journal index
 * is a {@code long} that only grows; consumer stages read records in index order, each gated by
 * the stage before it.
 *
 * <h2>MemoryLog: memory ordering</h2>
 * Frame layout and counters are drawn in {@link io.ferrite.engine.journal.MemoryLog}. The rules,
 * each a release store paired with an acquire load (or a volatile CAS):
 * <ol>
 *   <li><b>Claim.</b> A producer claims {@code [tail, newTail)} with a volatile CAS on the tail,
 *   and only after an acquire load of the released position (or of the producers' cached copy,
 *   which is itself stored with release after such an acquire load) shows
 *   {@code newTail - released <= capacity}. So the last stage's zeroing of that space
 *   happens-before anything the producer writes there.</li>
 *   <li><b>Commit.</b> The producer writes the payload with plain stores, then the frame's commit
 *   word with a release store ({@code commit}, or {@code abort}, which commits padding). A reader
 *   loads the commit word with acquire; when it shows a committed frame of the reader's lap,
 *   every payload byte written before the commit is visible. The claim itself leaves an
 *   opaque (atomic, unordered) "claimed" word, which readers treat as not ready.</li>
 *   <li><b>Commit from the claiming thread.</b> {@code commit}/{@code abort} re-read the claim
 *   word with a plain load: call them on the thread that claimed, or after a happens-before edge
 *   from it.</li>
 *   <li><b>Release.</b> Only the last stage calls {@code releaseUpTo(p)}: plain stores zero
 *   {@code [released, p)}, then a release store publishes {@code p} (rule 1 pairs with it). It
 *   passes no more than its own reader's cursor.</li>
 *   <li><b>Readers ahead of the releaser.</b> The zeroing is done by another thread than an
 *   upstream reader, so before trusting the commit word at cursor {@code c} a reader needs an
 *   acquire load of released {@code > c - capacity} (cached, re-loaded about once a lap). If
 *   released is not there yet nobody can have claimed {@code c} (rule 1); once it is, the reader
 *   sees the zeroed word or a newer one, never a leftover of the previous lap. The lap number
 *   inside the commit word is a second guard against leftovers.</li>
 *   <li><b>Gating.</b> A stage publishes its reader's cursor with a release store after it has
 *   finished with the records before it; the next stage loads that with acquire and passes it as
 *   the limit of {@code nextRecord(limit)}. Since the last stage releases no further than its own
 *   cursor, no byte is zeroed or reused while any stage may still read it.</li>
 *   <li><b>Counters.</b> Tail, released position and the producers' cached released position sit
 *   128 bytes apart in their own segment
 *   (no false sharing); {@code tailPosition()} and {@code releasedPosition()} are acquire
 *   loads.</li>
 * </ol>
 */
package io.ferrite.engine.journal;
