package io.ferrite.cli;

import io.ferrite.pipeline.index.IndexReader;
import io.ferrite.pipeline.index.Query;
import io.ferrite.pipeline.index.QueryResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ferrite query}: the journaled events that match every condition given, from the index a
 * stage with {@code use: index} keeps (or by scanning, which it says). Safe while a server writes.
 *
 * <p>Thread-safety: picocli fills the fields, then one thread calls {@link #call()}.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
    description = {"Find journaled events by type, key, tag, payload field and time (all conditions must hold).",
        "Answers from the index a stage with 'use: index' keeps; what it does not index is scanned, and it says so.",
        "Prints the newest --limit matches in journal order, then one line on stderr: matched, how, time."})
final class QueryCommand implements Callable<Integer> {
    @Option(names = "--journal", required = true, description = "The server's journal directory (as given to 'ferrite run --journal').")
    Path journal;

    @Option(names = "--type", description = "Event type.")
    String type;

    @Option(names = "--key", description = "Event key.")
    String key;

    @Option(names = "--tag", description = "A tag the event has: one a policy gives, or FIELD=VALUE of an indexed payload field (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(names = "--field", description = "FIELD=VALUE: a payload JSON field's value (repeatable); scanned for when the index does not hold it.")
    List<String> fields = new ArrayList<>();

    @Option(names = "--from", description = "Earliest event timestamp: 2026-12-01T10:00:00Z, epoch nanoseconds, or -10m (ago).")
    String from;

    @Option(names = "--to", description = "Latest event timestamp, as --from.")
    String to;

    @Option(names = "--limit", defaultValue = "100", description = "The newest N matches (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "One JSON object per event.")
    boolean json;

    @Option(names = "--count", description = "Print only the number of matching events.")
    boolean count;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        long now = System.currentTimeMillis() * 1_000_000L;
        List<Query.FieldEquals> equals = fields.stream().map(text -> Query.FieldEquals.parse(text, "--field")).toList();
        Query query = new Query(type == null ? null : Query.parseType(type, "--type"),
            key == null ? null : Query.parseKey(key, "--key"), tags, equals,
            from == null ? Long.MIN_VALUE : Query.parseTime(from, "--from", now),
            to == null ? Long.MAX_VALUE : Query.parseTime(to, "--to", now), limit);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        QueryResult result;
        try (IndexReader reader = IndexReader.open(journal)) {
            result = reader.run(query, count);
        }
        if (count) {
            out.println(result.matched());
        } else {
            result.hits().forEach(hit -> out.println(json ? QueryJson.event(hit) : QueryJson.line(hit)));
        }
        out.flush();
        err.println(String.format(Locale.ROOT, "%s: %s; %s; %.2f ms", query.describe(), result.complete()
                ? result.matched() + " matched" : "the newest " + result.hits().size() + " shown (--count counts them all)",
            result.how() + (result.scanned() > 0 ? " (" + result.scanned() + " events scanned)" : ""),
            result.tookNanos() / 1e6));
        err.flush();
        return 0;
    }
}
