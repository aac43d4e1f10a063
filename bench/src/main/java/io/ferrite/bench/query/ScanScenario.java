package io.ferrite.bench.query;

import io.ferrite.bench.suite.Metric;
import io.ferrite.bench.suite.Sampler;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.TrialResult;
import io.ferrite.engine.EventView;
import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.ChronicleJournalReader;
import io.ferrite.pipeline.index.IndexReader;
import io.ferrite.pipeline.index.Query;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A query on a payload field the index does not hold ({@code n=…}): {@link IndexReader} reads and
 * tests every one of the {@link IndexedJournal}'s 10 M events and says it scanned. Throughput is
 * events scanned per second. The peer reads the same journal record by record and tests nothing
 * (Chronicle's read alone: the floor of a scan).
 *
 * <p>Thread-safety: run from the suite runner's thread.
 */
public final class ScanScenario implements Scenario {
    private final boolean raw;
    private final EventView view = new EventView();
    private IndexReader reader;
    private ChronicleJournal journal;

    public ScanScenario(boolean raw) {
        this.raw = raw;
    }

    @Override
    public String name() {
        return raw ? "query.scan-field.raw-read" : "query.scan-field";
    }

    @Override
    public String group() {
        return "query";
    }

    @Override
    public String description() {
        return raw ? "every journaled event read, nothing tested (peer: the floor of a scan)"
            : "a query on an unindexed payload field: every event read and its JSON field tested";
    }

    @Override
    public Metric metric() {
        return Metric.THROUGHPUT;
    }

    @Override
    public List<String> peers() {
        return raw ? List.of() : List.of("query.scan-field.raw-read");
    }

    @Override
    public void open() throws Exception {
        var directory = IndexedJournal.get();
        reader = IndexReader.open(directory);
        journal = ChronicleJournal.openToRead(directory.resolve("events"));
    }

    @Override
    public TrialResult run(Duration duration, Duration sample) throws InterruptedException {
        LongAdder scanned = new LongAdder();
        Sampler sampler = Sampler.start(scanned::sum, sample);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long[] sum = {0};
        do {
            if (raw) {
                try (ChronicleJournalReader all = journal.newReader(false)) {
                    all.moveTo(journal.startOfJournal());
                    long last = journal.endOfJournal();
                    int read;
                    while ((read = all.read((memory, offset, length, index, endOfBatch) -> {
                        view.wrap(memory, offset, length);
                        sum[0] += view.key();
                    }, last, 65_536)) > 0) {
                        scanned.add(read);
                    }
                }
            } else {
                Query query = new Query(null, null, List.of(), List.of(new Query.FieldEquals("n", "1234567")),
                    Long.MIN_VALUE, Long.MAX_VALUE, 10);
                scanned.add(reader.run(query, true).scanned());
            }
        } while (System.nanoTime() < end);
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] timeline = sampler.stop();
        if (sum[0] == 42) {
            System.out.println(); // keeps the read from being optimized away
        }
        return TrialResult.of(scanned.sum(), seconds, null, timeline, sample.toNanos() / 1e9);
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
