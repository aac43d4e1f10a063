package io.ferrite.engine.state;

import net.openhft.chronicle.bytes.Byteable;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.values.Values;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Each consumer's last processed journal index, persisted in a Chronicle Map keyed by the 64-bit
 * FNV-1a hash of the consumer's name. {@link #slot(String)} hands a consumer a direct reference
 * into its map entry: storing a checkpoint is then one ordered store to mapped memory, no
 * allocation and no lock, and it survives kill -9 like the journal does.
 *
 * <p>Thread-safety: {@link #slot} and {@link #load} from any thread; each {@link Slot} has one
 * writer, its consumer.
 */
public final class CheckpointStore implements AutoCloseable {
    /** No checkpoint stored yet. */
    public static final long NONE = -1;

    private final ChronicleMap<LongValue, LongValue> map;
    private final Path file;

    private CheckpointStore(ChronicleMap<LongValue, LongValue> map, Path file) {
        this.map = map;
        this.file = file;
    }

    /** Opens (or creates) the checkpoint map at {@code file}. */
    public static CheckpointStore open(Path file) {
        return new CheckpointStore(StateMaps.openPersisted(file, "ferrite-checkpoints", 1024, false), file);
    }

    /** A checkpoint store that forgets everything when closed (MEMORY durability). */
    public static CheckpointStore inMemory() {
        return new CheckpointStore(StateMaps.openInMemory("ferrite-checkpoints", 1024), null);
    }

    /** The stored checkpoint of {@code consumer}, or {@link #NONE}. */
    public long load(String consumer) {
        LongValue key = key(consumer);
        LongValue value = map.getUsing(key, Values.newHeapInstance(LongValue.class));
        return value == null ? NONE : value.getVolatileValue();
    }

    /** The writable checkpoint of {@code consumer}, created at {@link #NONE} when absent. */
    public Slot slot(String consumer) {
        LongValue key = key(consumer);
        LongValue reference = Values.newNativeReference(LongValue.class);
        synchronized (map) {
            if (!map.containsKey(key)) {
                LongValue none = Values.newHeapInstance(LongValue.class);
                none.setValue(NONE);
                map.put(key, none);
            }
            map.acquireUsing(key, reference);
            // acquireUsing binds the reference to the query context's view of the entry's segment,
            // which the next operation on the map re-points (every slot would then follow the entry
            // touched last); bind it to the entry's own address instead. Entries of a constant-size
            // value never move while the map is open.
            Byteable entry = (Byteable) reference;
            entry.bytesStore(BytesStore.wrap(entry.address(), entry.maxSize()), 0, entry.maxSize());
        }
        return new Slot(consumer, reference);
    }

    @Override
    public void close() {
        StateMaps.close(map, file);
    }

    static long hash(String name) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xFF;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    static LongValue key(String consumer) {
        LongValue key = Values.newHeapInstance(LongValue.class);
        key.setValue(hash(consumer));
        return key;
    }

    /**
     * One consumer's checkpoint, written in place.
     *
     * <p>Thread-safety: one writer (the consumer); {@link #get} from any thread.
     */
    public static final class Slot {
        private final String consumer;
        private final LongValue reference;

        private Slot(String consumer, LongValue reference) {
            this.consumer = consumer;
            this.reference = reference;
        }

        /** Stores {@code index} with an ordered (release) write; no allocation. */
        public void store(long index) {
            reference.setOrderedValue(index);
        }

        public long get() {
            return reference.getVolatileValue();
        }

        public String consumer() {
            return consumer;
        }
    }
}
