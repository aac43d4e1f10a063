/**
 * Off-heap memory for the hot path: fixed-size slab pools, bump arenas and event flyweights, all
 * over {@link java.lang.foreign.MemorySegment}. Nothing here allocates on the heap per operation.
 *
 * <h2>Memory ordering</h2>
 * <ul>
 *   <li>{@link io.ferrite.offheap.SingleOwnerSlabPool} and {@link io.ferrite.offheap.BumpArena} are
 *   single-threaded: plain loads and stores, no fences. Hand one to another thread only through a
 *   happens-before edge (a queue, a thread start).</li>
 *   <li>{@link io.ferrite.offheap.ConcurrentSlabPool} publishes a freed slot with a CAS (volatile
 *   semantics) on the stack head after a release store of the slot's next link; {@code allocate}
 *   reads the head with a volatile load and the link with an acquire load. So everything a thread
 *   wrote into a slot before {@code free} happens-before whatever the next owner does after
 *   {@code allocate} returns it.</li>
 *   <li>Slot contents themselves are plain memory: the owner of a slot is its only writer.</li>
 * </ul>
 */
package io.ferrite.offheap;
