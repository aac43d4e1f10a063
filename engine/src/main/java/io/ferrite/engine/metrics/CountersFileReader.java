package io.ferrite.engine.metrics;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a {@link CountersFile} from another process (read-only mapping): who wrote it, whether it is
 * still running, was closed, or died, and every counter's label and value now.
 *
 * <p>Thread-safety: one thread; values are read with acquire semantics.
 */
public final class CountersFileReader implements AutoCloseable {
    private final Path file;
    private final Arena arena = Arena.ofShared();
    private final UnsafeBuffer header;
    private final CountersReader counters;

    /** One counter as read. */
    public record Entry(int id, String label, boolean counter, long value) {
    }

    /** Whose counters these are, and in what state the writer is. */
    public enum WriterState {
        /** the writing process is alive and the file is open */
        RUNNING,
        /** the writer closed it cleanly */
        CLOSED,
        /** the file says running, but its process is gone: killed, or crashed */
        DIED
    }

    private CountersFileReader(Path file) throws IOException {
        this.file = file;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < CountersFile.HEADER_BYTES) {
                throw new IOException(file + " is too short to be a counters file (" + size + " bytes)");
            }
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            this.header = new UnsafeBuffer(mapped.address(), CountersFile.HEADER_BYTES);
            if (header.getInt(0) != CountersFile.MAGIC || header.getInt(4) != CountersFile.VERSION) {
                throw new IOException(file + " is not a Ferrite counters file of version " + CountersFile.VERSION);
            }
            long max = header.getInt(CountersFile.MAX_COUNTERS_OFFSET);
            long metadataBytes = max * CountersReader.METADATA_LENGTH;
            long valuesBytes = max * CountersReader.COUNTER_LENGTH;
            if (CountersFile.HEADER_BYTES + metadataBytes + valuesBytes > size) {
                throw new IOException(file + " is truncated: " + size + " bytes for " + max + " counters");
            }
            this.counters = new CountersReader(new UnsafeBuffer(mapped.address() + CountersFile.HEADER_BYTES,
                (int) metadataBytes), new UnsafeBuffer(mapped.address() + CountersFile.HEADER_BYTES + metadataBytes,
                (int) valuesBytes));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Opens the counters file of the journal directory {@code directory}.
     *
     * @throws IOException naming the file when it is missing or not a counters file
     */
    public static CountersFileReader open(Path directory) throws IOException {
        Path file = directory.resolve(CountersFile.FILE_NAME);
        try {
            return new CountersFileReader(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no counters file: has a Ferrite server or engine"
                + " with this journal directory run since counters were added?");
        }
    }

    public Path path() {
        return file;
    }

    public long pid() {
        return header.getLong(CountersFile.PID_OFFSET);
    }

    public Instant started() {
        return Instant.ofEpochMilli(header.getLong(CountersFile.STARTED_OFFSET));
    }

    /** When the writer last updated the values. */
    public Instant heartbeat() {
        return Instant.ofEpochMilli(header.getLongVolatile(CountersFile.HEARTBEAT_OFFSET));
    }

    public WriterState state() {
        if (header.getIntVolatile(CountersFile.STATE_OFFSET) == CountersFile.STATE_CLOSED) {
            return WriterState.CLOSED;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid());
        return process.isPresent() && process.get().isAlive() ? WriterState.RUNNING : WriterState.DIED;
    }

    /** Every counter, in the order they were added. */
    public List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        counters.forEach((value, counterId, label) -> entries.add(new Entry(counterId, label,
            counters.getCounterTypeId(counterId) == CountersFile.TYPE_COUNTER, counters.getCounterValue(counterId))));
        return entries;
    }

    @Override
    public void close() {
        arena.close();
    }
}
