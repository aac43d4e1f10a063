package io.ferrite.pipeline.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file of the index mapped into memory, read-write by the index stage or read-only by a query
 * in another process. Stores reach the page cache at once, so a process killed with SIGKILL loses
 * none (a power cut may: the index is rebuilt from the journal, its source of truth). Longs are
 * read plain or with acquire, written plain or with release (the names say which).
 *
 * <p>Thread-safety: the memory is shared; callers order their accesses with the acquire/release
 * methods. Close once.
 */
final class MappedFile implements AutoCloseable {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private final Path path;

    private MappedFile(Path path, long size, boolean writable) {
        this.path = path;
        try (FileChannel channel = writable
            ? FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
            : FileChannel.open(path, StandardOpenOption.READ)) {
            long mapped = writable ? size : Math.min(size, channel.size());
            if (writable && channel.size() < size) {
                channel.write(java.nio.ByteBuffer.wrap(new byte[1]), size - 1); // sparse: pages take disk as they are written
            }
            this.memory = channel.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, 0, mapped, arena);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException("cannot map " + path + ": " + e.getMessage(), e);
        }
    }

    /** Maps {@code path} read-write, creating it (zero-filled) or growing it to {@code size} bytes. */
    static MappedFile openWritable(Path path, long size) {
        return new MappedFile(path, size, true);
    }

    /** Maps {@code path} read-only (as much of it as there is, at most {@code size}), or null when it does not exist. */
    static MappedFile openReadOnly(Path path, long size) {
        return Files.exists(path) ? new MappedFile(path, size, false) : null;
    }

    long size() {
        return memory.byteSize();
    }

    /** Plain read (the unaligned layout: an aligned one checks the alignment at every access, a third of the index's time). */
    long getLong(long offset) {
        return memory.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
    }

    void putLong(long offset, long value) {
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, value);
    }

    long getLongAcquire(long offset) {
        return (long) LONG.getAcquire(memory, offset);
    }

    void putLongRelease(long offset, long value) {
        LONG.setRelease(memory, offset, value);
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        arena.close();
    }
}
