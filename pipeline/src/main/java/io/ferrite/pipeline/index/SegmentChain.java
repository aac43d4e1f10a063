package io.ferrite.pipeline.index;

import java.nio.file.Path;

/**
 * One segment's mapped {@code chain-SEGMENT.dat}: for each event, the previous event with the same
 * key (the key chains) and its timestamp, and per block of {@link IndexLayout#BLOCK_EVENTS} events how many there
 * are and their smallest and largest timestamp (the sparse time index a time range is searched in).
 *
 * <p>Thread-safety: one writer; readers in any process read entries below the head's published reach.
 */
final class SegmentChain implements AutoCloseable {
    private final MappedFile file;
    final long segment;

    private SegmentChain(MappedFile file, long segment) {
        this.file = file;
        this.segment = segment;
    }

    static SegmentChain openWritable(Path directory, long segment) {
        return new SegmentChain(MappedFile.openWritable(IndexLayout.chain(directory, segment), IndexLayout.CHAIN_FILE_BYTES),
            segment);
    }

    /** Read-only, or null when the segment has no file. */
    static SegmentChain openReadOnly(Path directory, long segment) {
        MappedFile file = MappedFile.openReadOnly(IndexLayout.chain(directory, segment), IndexLayout.CHAIN_FILE_BYTES);
        if (file == null || file.size() < IndexLayout.CHAIN_FILE_BYTES) {
            if (file != null) {
                file.close();
            }
            return null;
        }
        return new SegmentChain(file, segment);
    }

    /** The previous event with the same key as the event at {@code offset}, or -1. */
    long previous(int offset) {
        return file.getLong((long) offset * Long.BYTES) - 1;
    }

    /** Writer: the event at {@code offset} follows {@code previous} (-1: none) in its key's chain. */
    void previous(int offset, long previous) {
        file.putLong((long) offset * Long.BYTES, previous + 1);
    }

    /** Writer: the event at {@code offset} has timestamp {@code timestamp}. */
    void timestamp(int offset, long timestamp) {
        file.putLong(IndexLayout.CHAIN_BYTES + (long) offset * Long.BYTES, timestamp);
    }

    /** The timestamp of the event at {@code offset}. */
    long timestamp(int offset) {
        return file.getLong(IndexLayout.CHAIN_BYTES + (long) offset * Long.BYTES);
    }

    /** Writer: counts an event of block {@code block} with timestamp {@code timestamp}. */
    void addToBlock(int block, long timestamp) {
        long at = IndexLayout.BLOCKS_AT + (long) block * IndexLayout.BLOCK_BYTES;
        long count = file.getLong(at);
        if (count == 0 || timestamp < file.getLong(at + 8)) {
            file.putLong(at + 8, timestamp);
        }
        if (count == 0 || timestamp > file.getLong(at + 16)) {
            file.putLong(at + 16, timestamp);
        }
        file.putLong(at, count + 1);
    }

    /** Writer: the batch holding the first indexed event of the 64 from {@code offset} is at Chronicle index {@code position}. */
    void position(int offset, long position) {
        file.putLong(IndexLayout.POSITIONS_AT + (long) (offset >>> IndexLayout.POSITION_BITS) * Long.BYTES, position + 1);
    }

    /** Writer: the batch of the first indexed event of the 64 from {@code offset} lies at {@code place} (cycle and byte). */
    void place(int offset, long place) {
        file.putLong(IndexLayout.PLACES_AT + (long) (offset >>> IndexLayout.POSITION_BITS) * Long.BYTES, place + 1);
    }

    /** Where the batch of the first indexed event of the 64 from {@code offset} lies (a {@code JournalLookup} place), or -1. */
    long place(int offset) {
        return file.getLong(IndexLayout.PLACES_AT + (long) (offset >>> IndexLayout.POSITION_BITS) * Long.BYTES) - 1;
    }

    /** The Chronicle index of a batch at or before the event at {@code offset} (among the 64 it is in), or -1. */
    long position(int offset) {
        return file.getLong(IndexLayout.POSITIONS_AT + (long) (offset >>> IndexLayout.POSITION_BITS) * Long.BYTES) - 1;
    }

    /** Whether block {@code block} may hold an event with a timestamp in [from, to]. */
    boolean blockMayHold(int block, long from, long to) {
        long at = IndexLayout.BLOCKS_AT + (long) block * IndexLayout.BLOCK_BYTES;
        return file.getLong(at) > 0 && file.getLong(at + 8) <= to && file.getLong(at + 16) >= from;
    }

    @Override
    public void close() {
        file.close();
    }
}
