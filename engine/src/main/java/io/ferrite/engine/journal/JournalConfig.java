package io.ferrite.engine.journal;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a Chronicle journal is opened.
 *
 * @param directory     the queue's directory (created if absent)
 * @param rollCycle     a Chronicle roll cycle name: {@code FAST_DAILY} (default, one file a day),
 *                      {@code FAST_HOURLY}, {@code FIVE_MINUTELY}, ... ({@code RollCycles.all()})
 * @param syncToDisk    open the queue with msync support (SYNC durability)
 * @param retainCycles  keep at least this many newest cycle files; 0 keeps everything. Retention
 *                      never deletes a cycle a consumer's checkpoint still needs
 * @param maxPayloadLength the largest payload a record may carry
 * @param minFreeBytes  the writer refuses batches while the file system has less usable space (0: never)
 */
public record JournalConfig(Path directory, String rollCycle, boolean syncToDisk, int retainCycles, int maxPayloadLength,
                            long minFreeBytes) {

    /** 64 MiB: several seconds of writing at full speed, more than one Chronicle chunk. */
    public static final long DEFAULT_MIN_FREE_BYTES = 64L << 20;

    public JournalConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(rollCycle, "rollCycle");
        if (retainCycles < 0) {
            throw new IllegalArgumentException("retainCycles must be >= 0, was " + retainCycles);
        }
        if (maxPayloadLength <= 0) {
            throw new IllegalArgumentException("maxPayloadLength must be positive, was " + maxPayloadLength);
        }
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("minFreeBytes must be >= 0, was " + minFreeBytes);
        }
    }

    /** With the default reserve of free space. */
    public JournalConfig(Path directory, String rollCycle, boolean syncToDisk, int retainCycles, int maxPayloadLength) {
        this(directory, rollCycle, syncToDisk, retainCycles, maxPayloadLength, DEFAULT_MIN_FREE_BYTES);
    }

    /** Daily files, kept forever, no msync, 1 MiB payloads. */
    public static JournalConfig of(Path directory) {
        return new JournalConfig(directory, "FAST_DAILY", false, 0, 1 << 20);
    }
}
