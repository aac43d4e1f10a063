package io.ferrite.bench.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A journal directory for one trial, under {@code java.io.tmpdir}, deleted with everything in it
 * afterwards (control path).
 *
 * <p>Thread-safety: not thread-safe; one per benchmark state.
 */
public final class TempDirectory implements AutoCloseable {
    private final Path path;

    public TempDirectory() {
        try {
            path = Files.createTempDirectory("ferrite-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a journal directory under java.io.tmpdir", e);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }
}
