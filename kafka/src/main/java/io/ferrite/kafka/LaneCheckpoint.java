package io.ferrite.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * What a lane remembers beside its journal after each commit: the Kafka offset it committed (the
 * next input to read) and its journal's next index at that moment. Kafka's committed offset is the
 * truth; on the next assignment the lane reuses its journal and stage state only when both still
 * agree — Kafka's offset equals {@code offset} and the journal ends at {@code journalNext} (nothing
 * was journaled after the commit) — else it is rebuilt from Kafka.
 *
 * <p>One small text file, {@value #FILE}, replaced atomically (write, fsync, rename).
 *
 * <p>Thread-safety: {@link #write} from one thread at a time (the lane's output stage).
 */
public record LaneCheckpoint(long offset, long journalNext) {
    public static final String FILE = "kafka-lane.checkpoint";

    /** The checkpoint in {@code laneDirectory}, or null when there is none (or it is unreadable). */
    public static LaneCheckpoint read(Path laneDirectory) {
        try {
            String[] fields = Files.readString(laneDirectory.resolve(FILE), StandardCharsets.US_ASCII).trim().split(" ");
            if (fields.length != 2) {
                return null;
            }
            return new LaneCheckpoint(Long.parseLong(fields[0]), Long.parseLong(fields[1]));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | NumberFormatException e) {
            return null; // a torn or foreign file: the lane is rebuilt, which is always safe
        }
    }

    /** Replaces the checkpoint in {@code laneDirectory}. */
    public void write(Path laneDirectory) {
        Path temporary = laneDirectory.resolve(FILE + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(java.nio.ByteBuffer.wrap((offset + " " + journalNext + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("lane checkpoint " + temporary, e);
        }
        try {
            Files.move(temporary, laneDirectory.resolve(FILE), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("lane checkpoint " + laneDirectory.resolve(FILE), e);
        }
    }
}
