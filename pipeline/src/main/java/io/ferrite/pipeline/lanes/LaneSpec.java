package io.ferrite.pipeline.lanes;

/**
 * How a stage's priority lanes are sized, as the pipeline file's {@code lanes:} declares it.
 *
 * <p>Thread-safety: immutable.
 *
 * @param slots       events that may wait in the lanes at once (slab slots of {@code slotBytes});
 *                    when all are taken the stage thread waits for the lane worker
 * @param slotBytes   bytes per slot: an event's record (48 bytes of headers and its payload) up to
 *                    this size takes one; larger ones take one of {@link #WIDE_SLOTS} wide slots
 * @param lowestEvery the anti-starvation quota: while the lowest lane waits, it is served once
 *                    after every {@code lowestEvery} events of the higher lanes
 * @param ownThread   false (the default): the stage thread takes events in and hands them to the
 *                    handler between its reads, one thread in all, which suits small machines
 *                    best; true: a lane worker thread of its own calls the handler, so taking in
 *                    and handling run in parallel when there are cores to spare
 */
public record LaneSpec(int slots, int slotBytes, int lowestEvery, boolean ownThread) {
    /** The defaults: 4,096 slots of 512 bytes (2 MiB), the lowest lane served at least 1 in 9, on the stage thread. */
    public static final LaneSpec DEFAULT = new LaneSpec(4_096, 512, 8, false);
    /** Slots for records larger than {@code slotBytes}, each as large as the engine's largest record. */
    public static final int WIDE_SLOTS = 2;
    /** The priorities, hence lanes: 0 (highest) to 3. */
    public static final int LANES = 4;

    public LaneSpec {
        if (slots < 1 || slots > 1 << 20) {
            throw new IllegalArgumentException("slots must be 1.." + (1 << 20) + ", got " + slots);
        }
        if (slotBytes < 64 || slotBytes % 8 != 0) {
            throw new IllegalArgumentException("slot-bytes must be a multiple of 8, at least 64, got " + slotBytes);
        }
        if (lowestEvery < 1) {
            throw new IllegalArgumentException("lowest-every must be at least 1, got " + lowestEvery);
        }
    }

    /** These lanes with a worker thread of their own (true) or on the stage thread (false). */
    public LaneSpec withOwnThread(boolean own) {
        return new LaneSpec(slots, slotBytes, lowestEvery, own);
    }
}
