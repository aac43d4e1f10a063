package io.ferrite.pipeline.index;

import org.roaringbitmap.RoaringBitmap;
import org.roaringbitmap.buffer.ImmutableRoaringBitmap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * For one segment, the events of each type and each tag: Roaring bitmaps of offsets in the segment.
 * The writer adds to mutable bitmaps and {@link #writeTo writes} them whole (a temporary file
 * renamed over the old one, so a reader sees the old file or the new, never half); a reader maps a
 * file read-only and uses the bitmaps in place ({@link ImmutableRoaringBitmap}, no copy).
 *
 * <p>File: magic, segment, covered (events below {@code segment start + covered} are in the sets),
 * number of sets, then per set: kind ({@code T} type, {@code G} tag), name (length-prefixed UTF-8),
 * bitmap length, bitmap (Roaring's portable format).
 *
 * <p>Thread-safety: a writer's instance is single-threaded; a read instance is immutable.
 */
final class SegmentSets {
    private static final int MAGIC = 0x46525353; // "FRSS"

    final long segment;
    /** Offsets below this are in the sets. */
    int covered;
    private final Map<Integer, RoaringBitmap> types = new HashMap<>();
    private int lastType;
    /** The writer's buffer for {@link #writeTo}. */
    private ByteBuffer buffer;
    private RoaringBitmap lastTypeSet;
    private final Map<String, RoaringBitmap> tags = new HashMap<>();
    /** A read instance: the mapped sets. */
    private final Map<String, ImmutableRoaringBitmap> mapped;

    /** A writer's empty sets for {@code segment}. */
    SegmentSets(long segment) {
        this.segment = segment;
        this.mapped = null;
    }

    private SegmentSets(long segment, int covered, Map<String, ImmutableRoaringBitmap> mapped) {
        this.segment = segment;
        this.covered = covered;
        this.mapped = mapped;
    }

    /** A writer's sets that go on from {@code read} (a file read back after a restart). */
    static SegmentSets continuing(SegmentSets read) {
        SegmentSets sets = new SegmentSets(read.segment);
        sets.covered = read.covered;
        read.mapped.forEach((name, set) -> {
            RoaringBitmap copy = new RoaringBitmap(set);
            if (name.charAt(0) == 'T') {
                sets.types.put(Integer.parseUnsignedInt(name.substring(1)), copy);
            } else {
                sets.tags.put(name.substring(1), copy);
            }
        });
        return sets;
    }

    /** Writer: the event at {@code offset} has type {@code type}. */
    void addType(int type, int offset) {
        if (lastTypeSet == null || type != lastType) { // runs of one type are the rule: no boxing, no lookup
            RoaringBitmap set = types.get(type);
            if (set == null) {
                set = new RoaringBitmap();
                types.put(type, set);
            }
            lastType = type;
            lastTypeSet = set;
        }
        lastTypeSet.add(offset);
    }

    /** Writer: the event at {@code offset} has tag {@code tag}. */
    void addTag(String tag, int offset) {
        RoaringBitmap set = tags.get(tag);
        if (set == null) {
            set = new RoaringBitmap();
            tags.put(tag, set);
        }
        set.add(offset);
    }

    /**
     * Writer: writes the sets to {@code file} (atomically: a reader sees the old file or this one),
     * through a buffer the writer keeps (grown when the sets outgrow it): no allocation per flush.
     */
    void writeTo(Path file) {
        int size = 20;
        for (Map.Entry<Integer, RoaringBitmap> type : types.entrySet()) {
            type.getValue().runOptimize();
            size += 7 + Integer.toUnsignedString(type.getKey()).length() + type.getValue().serializedSizeInBytes();
        }
        for (Map.Entry<String, RoaringBitmap> tag : tags.entrySet()) {
            tag.getValue().runOptimize();
            size += 7 + tag.getKey().getBytes(StandardCharsets.UTF_8).length + tag.getValue().serializedSizeInBytes();
        }
        if (buffer == null || buffer.capacity() < size) {
            buffer = ByteBuffer.allocateDirect(Math.max(size, buffer == null ? 4096 : buffer.capacity() * 2));
        }
        ByteBuffer out = buffer.clear().order(ByteOrder.BIG_ENDIAN);
        out.putInt(MAGIC).putLong(segment).putInt(covered).putInt(types.size() + tags.size());
        for (Map.Entry<Integer, RoaringBitmap> type : types.entrySet()) {
            put(out, 'T', Integer.toUnsignedString(type.getKey()), type.getValue());
        }
        for (Map.Entry<String, RoaringBitmap> tag : tags.entrySet()) {
            put(out, 'G', tag.getKey(), tag.getValue());
        }
        out.flip();
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            while (out.hasRemaining()) {
                channel.write(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the index sets " + file + ": " + e.getMessage(), e);
        }
        try {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the index sets " + file + ": " + e.getMessage(), e);
        }
    }

    private static void put(ByteBuffer out, char kind, String name, RoaringBitmap set) {
        out.put((byte) kind);
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8); // a few bytes per set and flush
        out.putShort((short) utf8.length).put(utf8).putInt(set.serializedSizeInBytes());
        ByteBuffer bitmap = out.slice().order(ByteOrder.LITTLE_ENDIAN);
        set.serialize(bitmap);
        out.position(out.position() + bitmap.position());
    }

    /** Reads {@code file}, mapped; null when it does not exist or is not a sets file. */
    static SegmentSets read(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ByteOrder.BIG_ENDIAN);
            if (buffer.remaining() < 20 || buffer.getInt() != MAGIC) {
                return null;
            }
            long segment = buffer.getLong();
            int covered = buffer.getInt();
            int count = buffer.getInt();
            Map<String, ImmutableRoaringBitmap> sets = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                char kind = (char) buffer.get();
                byte[] name = new byte[buffer.getShort() & 0xffff];
                buffer.get(name);
                int length = buffer.getInt();
                ByteBuffer slice = buffer.slice(buffer.position(), length).order(ByteOrder.LITTLE_ENDIAN);
                sets.put(kind + new String(name, StandardCharsets.UTF_8), new ImmutableRoaringBitmap(slice));
                buffer.position(buffer.position() + length);
            }
            return new SegmentSets(segment, covered, sets);
        } catch (java.nio.file.NoSuchFileException e) {
            return null; // replaced between the check and the open: the caller asks again
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the index sets " + file + ": " + e.getMessage(), e);
        }
    }

    /** Read instance: the events of type {@code type}, or null when none. */
    ImmutableRoaringBitmap type(int type) {
        return mapped.get("T" + Integer.toUnsignedString(type));
    }

    /** Read instance: the events with tag {@code tag}, or null when none. */
    ImmutableRoaringBitmap tag(String tag) {
        return mapped.get("G" + tag);
    }

    /** Read instance: the tags this segment knows. */
    java.util.List<String> tagNames() {
        return mapped.keySet().stream().filter(name -> name.startsWith("G")).map(name -> name.substring(1)).toList();
    }
}
