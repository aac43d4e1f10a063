package io.ferrite.pipeline.index;

import io.ferrite.concurrent.Progress;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventMarks;
import io.ferrite.engine.EventView;
import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.ChronicleJournalReader;
import io.ferrite.engine.journal.JournalLookup;
import io.ferrite.pipeline.Marks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The index stage ({@code use: index}): keeps the query index of the journal up to date — per
 * segment, the events of each type and tag (Roaring bitmaps), each key's chain of events, and
 * blocks of timestamps ({@link IndexLayout}). Tags come from the policies (the tags journaled with
 * the event) and from the payload fields named in {@code with: {fields: 'a, b.c'}}.
 *
 * <p>A stage like any other, with its checkpoint: after a restart the engine hands it events from
 * its checkpoint; those the index already holds are passed over, and when the index lags behind
 * the checkpoint (its sets are written every {@code flush}, the checkpoint may be newer) it reads
 * the missing events from the journal itself first. The index is never ahead of the journal and
 * never misses an event between its first and its reach.
 *
 * <p>When the stage idles ({@link #onIdle()}) it writes the open sets if a flush is due, so a query
 * after the last event does not scan what came since the last flush.
 *
 * <p>Thread-safety: the stage thread; figures from any thread.
 */
public final class IndexStage implements EventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(IndexStage.class);

    private final String name;
    private final Path journalDirectory;
    private final Path directory;
    private final List<String> tagBits;
    private final FieldTags fieldTags;
    private final long flushEveryNanos;
    private final EventView replayed = new EventView();
    private final Progress indexed = new Progress(0);
    private final Progress keyCount = new Progress(0);
    private final Progress caughtUp = new Progress(0);
    private IndexWriter writer;
    /** The journal, read beside the stage: where each block's first batch lies, and what a restart missed. */
    private ChronicleJournal journal;
    private JournalLookup positions;
    private final Consumer<String> addTag = tag -> writer.addTag(tag);

    /**
     * @param journalDirectory the durable journal's directory (the index lives in its {@code index/})
     * @param marks            the pipeline's tag bits, named
     * @param fields           payload JSON fields whose values become tags
     * @param flushEvery       how often the open segment's sets are written
     */
    public IndexStage(String name, Path journalDirectory, Marks marks, List<String> fields, Duration flushEvery) {
        this.name = name;
        this.journalDirectory = journalDirectory;
        this.directory = IndexLayout.directory(journalDirectory);
        this.tagBits = marks.names();
        this.fieldTags = new FieldTags(fields);
        this.flushEveryNanos = flushEvery.toNanos();
    }

    /** Stage thread, while no event comes: writes the open sets when a flush is due. */
    @Override
    public void onIdle() {
        if (writer != null) {
            writer.flushIfDue(System.nanoTime());
        }
    }

    @Override
    public void onStart() {
        journal = ChronicleJournal.openToRead(journalDirectory.resolve("events"));
        positions = new JournalLookup(journal);
        writer = new IndexWriter(directory, flushEveryNanos);
        writeMeta();
        keyCount.setRelease(writer.keys());
    }

    private void writeMeta() {
        Properties meta = new Properties();
        meta.setProperty("tags", String.join(",", tagBits));
        meta.setProperty("fields", String.join(",", fieldTags.paths()));
        try (var out = Files.newBufferedWriter(IndexLayout.meta(directory))) {
            meta.store(out, "the pipeline's tag bits and indexed payload fields (stage " + name + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + IndexLayout.meta(directory) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) {
        long next = writer.next();
        if (next >= 0 && index < next) {
            return; // indexed before a restart
        }
        if (next >= 0 && index > next) {
            catchUp(next, index);
        }
        add(event, index);
        if (endOfBatch) {
            writer.endOfBatch(System.nanoTime());
            keyCount.setRelease(writer.keys());
        }
    }

    private void add(EventView event, long index) {
        boolean newBlock = writer.needsPosition(index);
        writer.add(index, event.type(), event.key(), event.timestampNanos());
        if (newBlock) { // reading on from the last block's batch: the batches between are read once, in order
            long position = positions.batchHolding(index, -1);
            writer.position(position, position < 0 ? -1 : positions.batchPlace());
        }
        int tags = EventMarks.tags(event.marks());
        while (tags != 0) {
            int bit = Integer.numberOfTrailingZeros(tags);
            tags &= tags - 1;
            if (bit < tagBits.size() && !tagBits.get(bit).startsWith("->")) { // a routed-to stage is no tag
                writer.addTag(tagBits.get(bit));
            }
        }
        if (!fieldTags.paths().isEmpty()) {
            fieldTags.tagsOf(event.memory(), event.payloadOffset(), event.payloadLength(), addTag);
        }
        indexed.incrementRelease();
    }

    /** The index's sets end before the engine's checkpoint for this stage: reads [from, to) from the journal. */
    private void catchUp(long from, long to) {
        LOG.info("index {}: reading journal indexes {}..{} the index missed (its sets were written before the checkpoint)",
            name, from, to - 1);
        try (ChronicleJournalReader reader = journal.newReader(false)) {
            reader.moveTo(from);
            while (writer.next() < to) {
                int read = reader.read((memory, offset, length, index, endOfBatch) -> {
                    replayed.wrap(memory, offset, length);
                    add(replayed, index);
                }, to, 4_096);
                if (read == 0) {
                    throw new IllegalStateException("index " + name + ": the journal ends at " + writer.next()
                        + " while the stage was handed " + to);
                }
            }
        }
        caughtUp.setRelease(caughtUp.getAcquire() + (to - from));
    }

    @Override
    public void onClose() {
        if (writer != null) {
            writer.close();
        }
        if (positions != null) {
            positions.close();
            journal.close();
        }
    }

    public String name() {
        return name;
    }

    /** Events indexed by this process. */
    public long indexed() {
        return indexed.getAcquire();
    }

    /** Distinct keys in the index. */
    public long keys() {
        return keyCount.getAcquire();
    }

    /** Events read from the journal after a restart because the index lagged its checkpoint. */
    public long caughtUp() {
        return caughtUp.getAcquire();
    }

    /** Payload field values not made tags (too long, or too many values). */
    public long untagged() {
        return fieldTags.untagged();
    }

    /** The index's directory. */
    public Path directory() {
        return directory;
    }
}
