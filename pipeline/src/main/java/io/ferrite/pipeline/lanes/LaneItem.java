package io.ferrite.pipeline.lanes;

import io.ferrite.offheap.SlabPool;

/**
 * One event waiting in a lane: where its copy lives and which journal index it had. Made once per
 * position of the lanes' ring and reused, so handing an event over allocates nothing.
 *
 * <p>Thread-safety: written by the stage thread before the item is offered to a lane queue (a
 * release), read by the lane worker after polling it (an acquire); never both at once.
 */
final class LaneItem {
    long sequence;
    long index;
    int priority;
    SlabPool pool;
    int slot;
    int length;
}
