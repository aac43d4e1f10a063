package io.ferrite.pipeline.index;

import java.nio.file.Path;

/**
 * Where and how the query index lies on disk, in {@code JOURNAL/index/}. The journal is cut into
 * segments of {@link #SEGMENT_EVENTS} consecutive journal indexes; each has
 * <ul>
 *   <li>{@code chain-SEGMENT.dat} (mapped): for each event, 1 + the index of the previous event
 *       with the same key (0: none) — the key chains — then each event's timestamp (a time
 *       condition is tested without reading the journal), then for each block of
 *       {@link #BLOCK_EVENTS} events its count, smallest and largest timestamp (the sparse time
 *       index), then for every 64 events where in the journal the first one's batch lies — its Chronicle
 *       index, and its cycle file and byte position — so a query reads an event there, not by
 *       searching the journal;</li>
 *   <li>{@code sets-SEGMENT.bin} once the segment is full, else {@code sets-open.bin} rewritten
 *       every flush: for each type and tag the events that have it, as Roaring bitmaps of their
 *       offsets in the segment ({@link SegmentSets}).</li>
 * </ul>
 * Beside them {@code keys-GENERATION.dat} (mapped, {@link KeyTable}): each key's newest event;
 * and {@code head.dat} (mapped): how far the index reaches, published with release stores.
 *
 * <p>Thread-safety: constants and pure functions.
 */
final class IndexLayout {
    static final int SEGMENT_BITS = 20;
    static final long SEGMENT_EVENTS = 1L << SEGMENT_BITS;
    static final int BLOCK_BITS = 10;
    static final int BLOCK_EVENTS = 1 << BLOCK_BITS;
    static final int BLOCKS = (int) (SEGMENT_EVENTS / BLOCK_EVENTS);
    /** Per block: events, smallest timestamp, largest timestamp. */
    static final int BLOCK_BYTES = 24;
    /** Every this many events, where the batch of the first lies in the journal (a read walks at most this far). */
    static final int POSITION_BITS = 6;
    static final int POSITIONS = (int) (SEGMENT_EVENTS >>> POSITION_BITS);
    /** The key chains, then each event's timestamp, then the blocks. */
    static final long CHAIN_BYTES = SEGMENT_EVENTS * Long.BYTES;
    static final long TIMES_BYTES = SEGMENT_EVENTS * Long.BYTES;
    static final long BLOCKS_AT = CHAIN_BYTES + TIMES_BYTES;
    static final long POSITIONS_AT = BLOCKS_AT + (long) BLOCKS * BLOCK_BYTES;
    /** Beside each position, the batch's place in its cycle file (read there directly, no Chronicle index walk). */
    static final long PLACES_AT = POSITIONS_AT + (long) POSITIONS * Long.BYTES;
    static final long CHAIN_FILE_BYTES = PLACES_AT + (long) POSITIONS * Long.BYTES;

    static final long MAGIC = 0x4652_5449_4458_3031L; // "FRTIDX01"
    /** head.dat: magic, then these longs. */
    static final long HEAD_INDEXED_UP_TO = 8;
    static final long HEAD_KEYS_GENERATION = 16;
    static final long HEAD_FIRST_INDEXED = 24;
    static final long HEAD_BYTES = 4096;

    private IndexLayout() {
    }

    static long segmentOf(long index) {
        return index >>> SEGMENT_BITS;
    }

    static int offsetInSegment(long index) {
        return (int) (index & (SEGMENT_EVENTS - 1));
    }

    static long segmentStart(long segment) {
        return segment << SEGMENT_BITS;
    }

    static Path directory(Path journal) {
        return journal.resolve("index");
    }

    static Path head(Path directory) {
        return directory.resolve("head.dat");
    }

    static Path chain(Path directory, long segment) {
        return directory.resolve(String.format("chain-%010d.dat", segment));
    }

    static Path sealedSets(Path directory, long segment) {
        return directory.resolve(String.format("sets-%010d.bin", segment));
    }

    static Path openSets(Path directory) {
        return directory.resolve("sets-open.bin");
    }

    static Path keys(Path directory, long generation) {
        return directory.resolve("keys-" + generation + ".dat");
    }

    /** The pipeline's names of the tag bits and the indexed payload fields, for readers in other processes. */
    static Path meta(Path directory) {
        return directory.resolve("meta.properties");
    }
}
