/**
 * State that outlives the process, in Chronicle Map files beside the journal: each stage's
 * checkpoint (the last journal index it processed) and the dedup window (eventId → index).
 *
 * <p>Memory ordering: a checkpoint is a single-writer off-heap long updated with an ordered
 * (release) store through a native reference into the map entry; readers on other threads or in a
 * later process read it with a volatile load. Dedup entries are read and changed under Chronicle
 * Map's per-segment update locks, so concurrent publishers of one eventId are serialised.
 */
package io.ferrite.engine.state;
