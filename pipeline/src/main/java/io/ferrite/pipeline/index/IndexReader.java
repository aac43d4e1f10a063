package io.ferrite.pipeline.index;

import io.ferrite.engine.EventView;
import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.ChronicleJournalReader;
import io.ferrite.engine.journal.JournalLookup;
import org.roaringbitmap.buffer.ImmutableRoaringBitmap;
import org.roaringbitmap.buffer.MutableRoaringBitmap;
import org.roaringbitmap.IntIterator;

import java.io.IOException;
import java.io.Reader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Answers {@link Query}s over a journal and its index ({@link IndexLayout}), also while a server
 * writes both: the index answers for the events its sets cover, the events after them (at most a
 * flush's worth) are scanned, and so is everything when the query names a payload field the
 * index does not hold, or when there is no index. The found events are read from the journal by
 * index ({@link JournalLookup}).
 *
 * <p>Thread-safety: {@link #run} is synchronized (one query at a time per reader).
 */
public final class IndexReader implements AutoCloseable {
    private final Path journalDirectory;
    private final Path directory;
    private final ChronicleJournal journal;
    private final JournalLookup lookup;
    private final EventView view = new EventView();
    private final Map<Long, SegmentSets> sealed = new HashMap<>();
    private final Map<Long, SegmentChain> chains = new HashMap<>();
    private MappedFile head;
    private KeyTable keys;

    private IndexReader(Path journalDirectory, ChronicleJournal journal) {
        this.journalDirectory = journalDirectory;
        this.directory = IndexLayout.directory(journalDirectory);
        this.journal = journal;
        this.lookup = new JournalLookup(journal);
    }

    /**
     * Opens the journal in {@code journalDirectory} (as given to {@code ferrite run --journal}) and its index.
     *
     * @throws IllegalArgumentException when there is no journal there
     */
    public static IndexReader open(Path journalDirectory) {
        Path events = journalDirectory.resolve("events");
        if (!Files.isDirectory(events)) {
            throw new IllegalArgumentException("no journal at " + journalDirectory + " (expected the directory " + events
                + "; pass the same --journal as 'ferrite run')");
        }
        return new IndexReader(journalDirectory, ChronicleJournal.openToRead(events));
    }

    /**
     * Runs {@code query}.
     *
     * @param countAll count every match (else stop once {@code limit} newest are found)
     */
    public synchronized QueryResult run(Query query, boolean countAll) {
        long started = System.nanoTime();
        Properties meta = meta();
        List<String> tagBits = names(meta.getProperty("tags", ""));
        List<String> indexedFields = names(meta.getProperty("fields", ""));
        EventFilter filter = new EventFilter(query, tagBits);
        Search search = new Search(query, filter, countAll);
        long journalStart = journal.startOfJournal();
        long end = journal.endOfJournal();
        List<String> unindexed = query.fields().stream().map(Query.FieldEquals::path)
            .filter(path -> !indexedFields.contains(path)).distinct().toList();
        if (!openHead() || firstIndexed() < 0 || !unindexed.isEmpty()) {
            String why = !unindexed.isEmpty() ? "field" + (unindexed.size() > 1 ? "s " : " ") + String.join(", ", unindexed)
                + (unindexed.size() > 1 ? " are" : " is") + " not indexed" : "no index in " + directory
                + " (a stage with 'use: index' keeps one)";
            search.scan(journalStart, end);
            return search.result("scan: " + why, started);
        }
        long first = Math.max(firstIndexed(), journalStart);
        long setsReach = Math.min(setsReach(), head.getLongAcquire(IndexLayout.HEAD_INDEXED_UP_TO));
        search.scan(Math.max(first, setsReach), end); // the newest events first: those the sets do not cover yet
        if (search.wantsMore() && setsReach > first) {
            searchIndex(search, first, setsReach);
        }
        String how = "index";
        if (search.wantsMore() && first > journalStart) {
            search.scan(journalStart, first);
            how = "index, and a scan of the " + (first - journalStart) + " events before the index began";
        }
        return search.result(search.scanned > 0 && how.equals("index") ? "index, and a scan of the "
            + search.scanned + " events after its last flush" : how, started);
    }

    /** The events of [lo, hi) the index finds, newest first: exactly, without reading the journal. */
    private void searchIndex(Search search, long lo, long hi) {
        Query query = search.query;
        List<String> tags = new ArrayList<>(query.tags());
        query.fields().forEach(field -> tags.add(field.asTag())); // indexed fields are tags
        boolean timed = query.from() != Long.MIN_VALUE || query.to() != Long.MAX_VALUE;
        if (query.key() != null) {
            KeyTable table = keyTable();
            long index = table == null ? -1 : table.newest(query.key());
            while (index >= lo && search.wantsMore()) {
                long segment = IndexLayout.segmentOf(index);
                SegmentChain chain = chain(segment);
                if (chain == null) {
                    break;
                }
                int offset = IndexLayout.offsetInSegment(index);
                if (index < hi && inSets(segment, offset, query.type(), tags)
                    && (!timed || search.filter.inTime(chain.timestamp(offset)))) {
                    search.found(index);
                }
                index = chain.previous(offset);
            }
            return;
        }
        for (long segment = IndexLayout.segmentOf(hi - 1); segment >= IndexLayout.segmentOf(lo) && search.wantsMore(); segment--) {
            long base = IndexLayout.segmentStart(segment);
            SegmentSets sets = sets(segment);
            SegmentChain chain = chain(segment);
            if (sets == null || chain == null) {
                continue;
            }
            int low = (int) Math.max(0, lo - base);
            int high = (int) Math.min(IndexLayout.SEGMENT_EVENTS, hi - base);
            MutableRoaringBitmap candidates = new MutableRoaringBitmap();
            candidates.add((long) low, (long) high);
            if (query.type() != null) {
                candidates = and(candidates, sets.type(query.type()));
            }
            for (String tag : tags) {
                candidates = and(candidates, sets.tag(tag));
            }
            if (timed) {
                candidates = MutableRoaringBitmap.and(candidates, blocks(chain, low, high, query.from(), query.to()));
            } else if (search.countAll) {
                search.countMore(candidates.getLongCardinality(), candidates.getReverseIntIterator(), base);
                continue;
            }
            IntIterator newestFirst = candidates.getReverseIntIterator();
            while (newestFirst.hasNext() && search.wantsMore()) {
                int offset = newestFirst.next();
                if (!timed || search.filter.inTime(chain.timestamp(offset))) {
                    search.found(base + offset);
                }
            }
        }
    }

    private static MutableRoaringBitmap and(MutableRoaringBitmap candidates, ImmutableRoaringBitmap set) {
        return set == null ? new MutableRoaringBitmap() : MutableRoaringBitmap.and(candidates, set);
    }

    /** Offsets of the blocks in [low, high) whose timestamps may fall in [from, to]. */
    private static MutableRoaringBitmap blocks(SegmentChain chain, int low, int high, long from, long to) {
        MutableRoaringBitmap inTime = new MutableRoaringBitmap();
        for (int block = low >>> IndexLayout.BLOCK_BITS; block <= (high - 1) >>> IndexLayout.BLOCK_BITS; block++) {
            if (chain.blockMayHold(block, from, to)) {
                inTime.add((long) block << IndexLayout.BLOCK_BITS, (long) (block + 1) << IndexLayout.BLOCK_BITS);
            }
        }
        return inTime;
    }

    private boolean inSets(long segment, int offset, Integer type, List<String> tags) {
        if (type == null && tags.isEmpty()) {
            return true;
        }
        SegmentSets sets = sets(segment);
        if (sets == null) {
            return false;
        }
        if (type != null && (sets.type(type) == null || !sets.type(type).contains(offset))) {
            return false;
        }
        for (String tag : tags) {
            ImmutableRoaringBitmap set = sets.tag(tag);
            if (set == null || !set.contains(offset)) {
                return false;
            }
        }
        return true;
    }

    /** The sets of {@code segment}: sealed ones are kept mapped; the open one is read again each time. */
    private SegmentSets sets(long segment) {
        SegmentSets known = sealed.get(segment);
        if (known != null) {
            return known;
        }
        SegmentSets read = SegmentSets.read(IndexLayout.sealedSets(directory, segment));
        if (read != null) {
            sealed.put(segment, read);
            return read;
        }
        SegmentSets open = SegmentSets.read(IndexLayout.openSets(directory));
        return open != null && open.segment == segment ? open : null;
    }

    /** Where the written sets end: the open sets' reach, or the end of the newest sealed segment. */
    private long setsReach() {
        for (int attempt = 0; attempt < 3; attempt++) { // the file may be replaced while read
            SegmentSets open = SegmentSets.read(IndexLayout.openSets(directory));
            if (open != null) {
                return Files.exists(IndexLayout.sealedSets(directory, open.segment))
                    ? IndexLayout.segmentStart(open.segment + 1) : IndexLayout.segmentStart(open.segment) + open.covered;
            }
        }
        return firstIndexed();
    }

    private SegmentChain chain(long segment) {
        SegmentChain chain = chains.get(segment);
        if (chain == null) {
            chain = SegmentChain.openReadOnly(directory, segment);
            if (chain != null) {
                chains.put(segment, chain);
            }
        }
        return chain;
    }

    private KeyTable keyTable() {
        long generation = head.getLongAcquire(IndexLayout.HEAD_KEYS_GENERATION);
        if (keys == null || keys.generation() != generation) {
            if (keys != null) {
                keys.close();
            }
            keys = KeyTable.openReadOnly(directory, generation);
        }
        return keys;
    }

    private boolean openHead() {
        if (head == null) {
            head = MappedFile.openReadOnly(IndexLayout.head(directory), IndexLayout.HEAD_BYTES);
        }
        return head != null && head.size() >= IndexLayout.HEAD_BYTES && head.getLongAcquire(0) == IndexLayout.MAGIC;
    }

    private long firstIndexed() {
        return head.getLongAcquire(IndexLayout.HEAD_FIRST_INDEXED);
    }

    private Properties meta() {
        Properties meta = new Properties();
        Path file = IndexLayout.meta(directory);
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                meta.load(in);
            } catch (IOException e) {
                // a meta file being rewritten: the query goes on with what it knows
            }
        }
        return meta;
    }

    private static List<String> names(String list) {
        return list.isBlank() ? List.of() : Arrays.stream(list.split(",")).map(String::strip).toList();
    }

    @Override
    public synchronized void close() {
        lookup.close();
        chains.values().forEach(SegmentChain::close);
        if (keys != null) {
            keys.close();
        }
        if (head != null) {
            head.close();
        }
        journal.close();
    }

    /** One query's state: the newest hits so far, newest first, and the counts. */
    private final class Search {
        final Query query;
        final EventFilter filter;
        final boolean countAll;
        /** Hits the scans found, newest first. */
        final ArrayDeque<QueryResult.Hit> newestFirst = new ArrayDeque<>();
        /** Indexes the index found, newest first (all older than the scanned hits). */
        final List<Long> found = new ArrayList<>();
        long matched;
        long scanned;

        Search(Query query, EventFilter filter, boolean countAll) {
            this.query = query;
            this.filter = filter;
            this.countAll = countAll;
        }

        boolean wantsMore() {
            return countAll || newestFirst.size() + found.size() < query.limit();
        }

        /** Scans [from, to) in journal order; keeps the newest matches ahead of those found before (older ones). */
        void scan(long from, long to) {
            if (from >= to) {
                return;
            }
            ArrayDeque<QueryResult.Hit> inOrder = new ArrayDeque<>();
            long[] matches = {0};
            try (ChronicleJournalReader reader = journal.newReader(false)) {
                reader.moveTo(from);
                int read;
                do {
                    read = reader.read((memory, offset, length, index, endOfBatch) -> {
                        scanned++;
                        view.wrap(memory, offset, length);
                        if (filter.matches(view)) {
                            matches[0]++;
                            if (inOrder.size() == query.limit()) {
                                inOrder.removeFirst(); // only the newest `limit` are kept
                            }
                            inOrder.addLast(hit(view, index));
                        }
                    }, to, 4_096);
                } while (read > 0 && reader.gate() < to);
            }
            matched += matches[0];
            while (!inOrder.isEmpty() && newestFirst.size() + found.size() < query.limit()) {
                newestFirst.addLast(inOrder.removeLast());
            }
        }

        /** The index found a match at {@code index} (newest first). */
        void found(long index) {
            matched++;
            if (newestFirst.size() + found.size() < query.limit()) {
                found.add(index);
            }
        }

        /** Counts {@code count} matches the index found exactly; keeps those still wanted as hits. */
        void countMore(long count, IntIterator newest, long base) {
            matched += count;
            while (newest.hasNext() && newestFirst.size() + found.size() < query.limit()) {
                found.add(base + newest.next());
            }
        }

        /** Reads the events the index found, oldest first (each near the last: read on, not searched). */
        private List<QueryResult.Hit> fetchFound() {
            List<QueryResult.Hit> hits = new ArrayList<>(found.size());
            for (int i = found.size() - 1; i >= 0; i--) {
                long index = found.get(i);
                lookup.readAt(place(index), index, hint(index), (memory, offset, length, at, endOfBatch) -> {
                    view.wrap(memory, offset, length);
                    hits.add(hit(view, at));
                });
            }
            return hits;
        }

        /** The place in its cycle file of the batch of the first of {@code index}'s 64 events, or -1. */
        long place(long index) {
            SegmentChain chain = chain(IndexLayout.segmentOf(index));
            return chain == null ? -1 : chain.place(IndexLayout.offsetInSegment(index));
        }

        /** Where the batch of the first of {@code index}'s 64 events lies (the index knows), or -1. */
        long hint(long index) {
            SegmentChain chain = chain(IndexLayout.segmentOf(index));
            return chain == null ? -1 : chain.position(IndexLayout.offsetInSegment(index));
        }

        QueryResult.Hit hit(EventView event, long index) {
            byte[] payload = new byte[event.payloadLength()];
            MemorySegment.copy(event.memory(), ValueLayout.JAVA_BYTE, event.payloadOffset(), payload, 0, payload.length);
            return new QueryResult.Hit(index, event.type(), event.key(), event.eventId(), event.timestampNanos(),
                event.priority(), filter.markTags(event), payload);
        }

        QueryResult result(String how, long started) {
            List<QueryResult.Hit> hits = fetchFound();
            hits.addAll(newestFirst);
            hits.sort(java.util.Comparator.comparingLong(QueryResult.Hit::index)); // scans and the index, in journal order
            return new QueryResult(hits, Math.max(matched, hits.size()), countAll || hits.size() < query.limit(), scanned, how,
                System.nanoTime() - started);
        }
    }
}
