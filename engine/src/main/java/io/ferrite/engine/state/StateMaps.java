package io.ferrite.engine.state;

import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens Ferrite's persisted {@code long → long} Chronicle Maps safely. A map left open by a killed
 * process may hold a segment lock that would stall the next writer for a minute; so every map has
 * a clean-close marker file, and a map without one is opened with {@code recoverPersistedTo}, which
 * clears such locks.
 *
 * <p>Thread-safety: stateless.
 */
public final class StateMaps {
    private static final Logger LOG = LoggerFactory.getLogger(StateMaps.class);

    private StateMaps() {
    }

    /** Opens or creates the persisted map {@code file} sized for {@code entries}, with entry checksums. */
    public static ChronicleMap<LongValue, LongValue> openPersisted(Path file, String name, long entries) {
        return openPersisted(file, name, entries, true);
    }

    /**
     * Opens or creates the persisted map {@code file} sized for {@code entries}. A map whose values
     * are written in place through native references needs {@code checksumEntries} false: such a
     * write does not update the entry's checksum, and recovery after a crash drops every entry
     * whose checksum does not match.
     */
    public static ChronicleMap<LongValue, LongValue> openPersisted(Path file, String name, long entries,
                                                                   boolean checksumEntries) {
        ChronicleMapBuilder<LongValue, LongValue> builder = builder(name, entries).checksumEntries(checksumEntries);
        Path cleanMarker = cleanMarker(file);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ChronicleMap<LongValue, LongValue> map;
            if (Files.exists(file) && !Files.exists(cleanMarker)) {
                LOG.warn("{} was not closed cleanly; recovering it (clears locks a killed process left)", file);
                map = builder.recoverPersistedTo(file.toFile(), true,
                    corruption -> LOG.warn("{}: {}", file, corruption.message()));
            } else {
                map = builder.createPersistedTo(file.toFile());
            }
            Files.deleteIfExists(cleanMarker);
            return map;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open state map " + file, e);
        }
    }

    /** An in-memory map (MEMORY durability). */
    public static ChronicleMap<LongValue, LongValue> openInMemory(String name, long entries) {
        return builder(name, entries).create();
    }

    /** Closes {@code map} and, for a persisted one, leaves the clean-close marker. */
    public static void close(ChronicleMap<LongValue, LongValue> map, Path fileOrNull) {
        map.close();
        if (fileOrNull != null) {
            try {
                Files.writeString(cleanMarker(fileOrNull), "closed cleanly\n");
            } catch (IOException e) {
                LOG.warn("could not write clean-close marker for {}; it will be recovered on next open", fileOrNull, e);
            }
        }
    }

    private static ChronicleMapBuilder<LongValue, LongValue> builder(String name, long entries) {
        return ChronicleMap.of(LongValue.class, LongValue.class).name(name).entries(Math.max(entries, 1024))
            .maxBloatFactor(4.0);
    }

    private static Path cleanMarker(Path file) {
        return file.resolveSibling(file.getFileName() + ".clean");
    }
}
