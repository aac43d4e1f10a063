package io.ferrite.bench.query;

import io.ferrite.bench.suite.LatencySummary;
import io.ferrite.bench.suite.Metric;
import io.ferrite.bench.suite.Sampler;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.TrialResult;
import io.ferrite.engine.EventView;
import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.ChronicleJournalReader;
import io.ferrite.pipeline.index.IndexReader;
import io.ferrite.pipeline.index.Query;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Query latency over the {@link IndexedJournal} (10 M events): by tag (the newest 100 of a region),
 * by key (about ten events), by type within one millisecond of event time (about 125, the newest
 * 100 returned) — each query with new random arguments, through {@link IndexReader} as
 * {@code GET /query} runs it. The peer answers the same query by reading the journal from end to
 * end and testing every event (what a query without an index costs).
 *
 * <p>Thread-safety: run from the suite runner's thread.
 */
public final class QueryScenario implements Scenario {
    /** Which query. */
    public enum Kind { TAG, KEY, TYPE_TIME }

    private final Kind kind;
    private final boolean scan;
    private final SplittableRandom random = new SplittableRandom(42);
    private final EventView view = new EventView();
    private IndexReader reader;
    private ChronicleJournal journal;

    public QueryScenario(Kind kind, boolean scan) {
        this.kind = kind;
        this.scan = scan;
    }

    private String baseName() {
        return "query." + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    @Override
    public String name() {
        return baseName() + (scan ? ".scan" : "");
    }

    @Override
    public String group() {
        return "query";
    }

    @Override
    public String description() {
        String what = switch (kind) {
            case TAG -> "the newest 100 events with tag region=eu";
            case KEY -> "every event of one random key (about 10)";
            case TYPE_TIME -> "type 3 within a random 1 ms of event time (about 125, the newest 100)";
        };
        return what + " over 10 M journaled events, " + (scan ? "by reading every event (peer)" : "from the index");
    }

    @Override
    public Metric metric() {
        return Metric.P99_MICROS;
    }

    @Override
    public List<String> peers() {
        return scan ? List.of() : List.of(baseName() + ".scan");
    }

    @Override
    public void open() throws Exception {
        var directory = IndexedJournal.get();
        reader = IndexReader.open(directory);
        journal = ChronicleJournal.openToRead(directory.resolve("events"));
    }

    private Query next() {
        return switch (kind) {
            case TAG -> new Query(null, null, List.of("region=eu"), List.of(), Long.MIN_VALUE, Long.MAX_VALUE, 100);
            case KEY -> new Query(null, (long) random.nextInt(1_000_000), List.of(), List.of(), Long.MIN_VALUE,
                Long.MAX_VALUE, 100);
            case TYPE_TIME -> {
                long from = IndexedJournal.timestamp(random.nextLong(IndexedJournal.EVENTS - 1_000));
                yield new Query(3, null, List.of(), List.of(), from, from + 999_999, 100);
            }
        };
    }

    @Override
    public TrialResult run(Duration duration, Duration sample) throws InterruptedException {
        Histogram latencies = new Histogram(3_600_000_000_000L, 3);
        LongAdder done = new LongAdder();
        Sampler sampler = Sampler.start(done::sum, sample);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long found = 0;
        do {
            Query query = next();
            long began = System.nanoTime();
            found += scan ? scan(query) : reader.run(query, false).hits().size();
            latencies.recordValue(System.nanoTime() - began);
            done.increment();
        } while (System.nanoTime() < end);
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] timeline = sampler.stop();
        System.out.printf("  %s: %d queries, %.1f events returned on average%n", name(), done.sum(),
            (double) found / done.sum());
        return TrialResult.of(done.sum(), seconds, LatencySummary.ofNanos(latencies), timeline, sample.toNanos() / 1e9);
    }

    /** The query answered by testing every event (the newest 100 matches kept). */
    private long scan(Query query) {
        long[] matches = {0};
        try (ChronicleJournalReader all = journal.newReader(false)) {
            all.moveTo(journal.startOfJournal());
            long last = journal.endOfJournal();
            while (all.gate() < last) {
                all.read((memory, offset, length, index, endOfBatch) -> {
                    view.wrap(memory, offset, length);
                    boolean match = switch (kind) {
                        case TAG -> view.payloadLength() > 13 && view.payloadByte(11) == 'e' && view.payloadByte(12) == 'u';
                        case KEY -> view.key() == query.key();
                        case TYPE_TIME -> view.type() == 3 && view.timestampNanos() >= query.from()
                            && view.timestampNanos() <= query.to();
                    };
                    if (match) {
                        matches[0]++;
                    }
                }, last, 65_536);
            }
        }
        return Math.min(matches[0], query.limit());
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.close();
        }
        if (journal != null) {
            journal.close();
        }
    }
}
