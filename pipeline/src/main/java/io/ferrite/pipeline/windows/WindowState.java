package io.ferrite.pipeline.windows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A window stage's {@code state/windows-NAME.state}: where a rebuild after a restart starts (the
 * oldest journal index in a window still open), the last window emitted and the newest timestamp
 * seen. Written whole at each close of windows (a temporary file renamed over the last).
 *
 * <p>Thread-safety: the window stage's thread.
 */
final class WindowState {
    private static final long MAGIC = 0x4652_5457_494E_3031L; // "FRTWIN01"
    private final Path file;
    private boolean exists;
    private long replayFrom;
    private long lastClosed;
    private long watermark;

    WindowState(Path file) {
        this.file = file;
        try {
            if (Files.exists(file)) {
                ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
                if (bytes.remaining() == 32 && bytes.getLong() == MAGIC) {
                    replayFrom = bytes.getLong();
                    lastClosed = bytes.getLong();
                    watermark = bytes.getLong();
                    exists = true;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    boolean exists() {
        return exists;
    }

    long replayFrom() {
        return replayFrom;
    }

    long lastClosed() {
        return lastClosed;
    }

    long watermark() {
        return watermark;
    }

    void write(long replayFrom, long lastClosed, long watermark) {
        ByteBuffer bytes = ByteBuffer.allocate(32).putLong(MAGIC).putLong(replayFrom).putLong(lastClosed).putLong(watermark);
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(temporary, bytes.array());
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
