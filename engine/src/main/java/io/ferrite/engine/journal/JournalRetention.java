package io.ferrite.engine.journal;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.LongSupplier;

/**
 * Deletes old cycle files of a Chronicle journal: keeps the newest {@code retainCycles} cycles,
 * and never a cycle that holds or follows the oldest index a consumer still needs
 * ({@code oldestNeededIndex}: the lowest next index of the stages).
 *
 * <p>Thread-safety: single-threaded (the journal thread). Control path: it lists and deletes files.
 */
public final class JournalRetention {
    private static final Logger LOG = LoggerFactory.getLogger(JournalRetention.class);

    private final ChronicleJournal journal;
    private final int retainCycles;
    private final LongSupplier oldestNeededIndex;
    private final DateTimeFormatter fileNames;

    public JournalRetention(ChronicleJournal journal, int retainCycles, LongSupplier oldestNeededIndex) {
        this.journal = journal;
        this.retainCycles = retainCycles;
        this.oldestNeededIndex = oldestNeededIndex;
        this.fileNames = DateTimeFormatter.ofPattern(journal.queue().rollCycle().format()).withZone(ZoneOffset.UTC);
    }

    /** Deletes what may go; returns how many cycle files were deleted. */
    public int run() {
        if (retainCycles <= 0) {
            return 0;
        }
        SingleChronicleQueue queue = journal.queue();
        long needed = oldestNeededIndex.getAsLong();
        if (needed < 0) {
            return 0;
        }
        int lastCycle = queue.lastCycle();
        int keepFrom = Math.min(journal.cycleHolding(needed), lastCycle - retainCycles + 1);
        int firstCycle = queue.firstCycle();
        if (firstCycle >= keepFrom || firstCycle == Integer.MAX_VALUE) {
            return 0;
        }
        int deleted = 0;
        for (Long cycle : queue.listCyclesBetween(firstCycle, keepFrom - 1)) {
            Path file = fileOf(cycle.intValue());
            try {
                if (Files.deleteIfExists(file)) {
                    deleted++;
                    LOG.info("retention deleted journal cycle {} ({})", cycle, file.getFileName());
                }
            } catch (IOException e) {
                LOG.warn("retention could not delete {}", file, e);
            }
        }
        if (deleted > 0) {
            queue.refreshDirectoryListing();
        }
        return deleted;
    }

    /** The file that holds {@code cycle}. */
    Path fileOf(int cycle) {
        long millis = cycle * (long) journal.queue().rollCycle().lengthInMillis();
        return journal.config().directory().resolve(fileNames.format(Instant.ofEpochMilli(millis)) + ".cq4");
    }
}
