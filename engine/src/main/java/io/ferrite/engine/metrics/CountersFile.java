package io.ferrite.engine.metrics;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A node's {@link MetricRegistry} mirrored into a memory-mapped file ({@value #FILE_NAME} in the
 * journal directory), where another process reads it ({@code ferrite stat}, {@link CountersFileReader})
 * — also after the node was killed, which is when it is needed most. As Aeron's CnC file: an Agrona
 * {@link CountersManager} lays out labels and values; a header says who writes it and when it last did.
 *
 * <p>The hot path does not write here: the node's own counters stay where they are (padded, single
 * writer), and {@link #update()} copies them in every interval (100 ms by default, see
 * {@link CountersPublisher}), so the file is at most one interval behind.
 *
 * <p>Layout, little-endian: {@code magic:int version:int pid:long startedMillis:long
 * heartbeatMillis:long state:int maxCounters:int}, padded to {@value #HEADER_BYTES} bytes, then the
 * counters' metadata ({@code maxCounters × 512}), then their values ({@code maxCounters × 128}).
 * Type id 0 is a counter, 1 a gauge.
 *
 * <p>Thread-safety: {@link #update()} and {@link #close()} from one thread (the publisher); readers
 * in other processes see values stored with release semantics.
 */
public final class CountersFile implements AutoCloseable {
    public static final String FILE_NAME = "counters.dat";
    static final int MAGIC = 0x46455243; // "FERC"
    static final int VERSION = 1;
    static final int HEADER_BYTES = 128;
    static final int PID_OFFSET = 8;
    static final int STARTED_OFFSET = 16;
    static final int HEARTBEAT_OFFSET = 24;
    static final int STATE_OFFSET = 32;
    static final int MAX_COUNTERS_OFFSET = 36;
    static final int STATE_RUNNING = 1;
    static final int STATE_CLOSED = 2;
    static final int TYPE_COUNTER = 0;
    static final int TYPE_GAUGE = 1;
    private static final Logger LOG = LoggerFactory.getLogger(CountersFile.class);

    private final MetricRegistry registry;
    private final Path file;
    private final Arena arena = Arena.ofShared();
    private final UnsafeBuffer header;
    private final CountersManager counters;
    private final int maxCounters;
    /** Counter id of each registry entry mirrored so far, in registry order. */
    private int[] ids = new int[0];
    private boolean warnedFull;

    private CountersFile(MetricRegistry registry, Path file, int maxCounters) throws IOException {
        this.registry = registry;
        this.file = file;
        this.maxCounters = maxCounters;
        long metadataBytes = (long) maxCounters * CountersReader.METADATA_LENGTH;
        long valuesBytes = (long) maxCounters * CountersReader.COUNTER_LENGTH;
        long size = HEADER_BYTES + metadataBytes + valuesBytes;
        Files.deleteIfExists(file); // a new run starts a new file: a reader holding the old one keeps its copy
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            this.header = new UnsafeBuffer(mapped.address(), HEADER_BYTES);
            UnsafeBuffer metadata = new UnsafeBuffer(mapped.address() + HEADER_BYTES, (int) metadataBytes);
            UnsafeBuffer values = new UnsafeBuffer(mapped.address() + HEADER_BYTES + metadataBytes, (int) valuesBytes);
            this.counters = new CountersManager(metadata, values);
        }
        long now = System.currentTimeMillis();
        header.putInt(0, MAGIC);
        header.putInt(4, VERSION);
        header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        header.putLong(STARTED_OFFSET, now);
        header.putLong(HEARTBEAT_OFFSET, now);
        header.putInt(MAX_COUNTERS_OFFSET, maxCounters);
        header.putIntRelease(STATE_OFFSET, STATE_RUNNING);
    }

    /**
     * Creates (or replaces) the file in {@code directory} for {@code registry}.
     *
     * @throws UncheckedIOException when the file cannot be made
     */
    public static CountersFile create(MetricRegistry registry, Path directory, int maxCounters) {
        if (maxCounters < 1) {
            throw new IllegalArgumentException("maxCounters must be at least 1, was " + maxCounters);
        }
        Path file = directory.resolve(FILE_NAME);
        try {
            return new CountersFile(registry, file, maxCounters);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the counters file " + file + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return file;
    }

    /**
     * Copies every metric's value into the file and stamps the heartbeat. Metrics added to the
     * registry since the last call get their counter first (that allocates, once per metric); a
     * steady-state update does not allocate.
     */
    public void update() {
        Metric[] metrics = registry.metrics();
        if (metrics.length > ids.length) {
            allocate(metrics);
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] >= 0) {
                counters.setCounterValue(ids[i], metrics[i].read());
            }
        }
        header.putLongRelease(HEARTBEAT_OFFSET, System.currentTimeMillis());
    }

    private void allocate(Metric[] metrics) {
        int[] more = Arrays.copyOf(ids, metrics.length);
        for (int i = ids.length; i < metrics.length; i++) {
            if (counters.available() == 0) {
                more[i] = -1;
                if (!warnedFull) {
                    warnedFull = true;
                    LOG.warn("the counters file {} holds {} counters; {} and later ones are not in it", file, maxCounters,
                        metrics[i].displayName());
                }
                continue;
            }
            Metric metric = metrics[i];
            more[i] = counters.allocate(metric.displayName(), metric.kind() == Metric.Kind.COUNTER ? TYPE_COUNTER
                : TYPE_GAUGE);
        }
        ids = more;
    }

    /** A last update, then marks the file closed (a reader tells a clean stop from a kill by it). */
    @Override
    public void close() {
        try {
            update();
            header.putIntRelease(STATE_OFFSET, STATE_CLOSED);
        } finally {
            arena.close();
        }
    }
}
