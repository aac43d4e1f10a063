package io.ferrite.cli;

import io.ferrite.pipeline.index.IndexReader;
import io.ferrite.pipeline.index.Query;
import io.ferrite.pipeline.index.QueryResult;
import io.ferrite.transport.admin.AdminResponse;
import io.ferrite.transport.node.FerriteNode;

import java.nio.file.Path;

/**
 * {@code GET /query?type=&key=&tag=&field=&from=&to=&limit=&count=true} on the admin port: the
 * same query as {@code ferrite query}, answered as JSON; a bad parameter is a 400 that names it.
 * One {@link IndexReader}, opened at the first query and kept (it maps the index's sealed segments once).
 *
 * <p>Thread-safety: the route runs on admin threads; the reader serializes queries.
 */
final class QueryRoutes {
    private final Path journalDirectory;
    private IndexReader reader;

    private QueryRoutes(Path journalDirectory) {
        this.journalDirectory = journalDirectory;
    }

    /** Adds {@code GET /query} for the durable journal in {@code journalDirectory}. */
    static void addTo(FerriteNode.Builder node, Path journalDirectory) {
        QueryRoutes routes = new QueryRoutes(journalDirectory);
        node.adminRoute("GET", "/query", request -> {
            Query query;
            boolean count;
            try {
                var parameters = new java.util.LinkedHashMap<>(request.parameters());
                count = "true".equals(request.parameter("count", "false"));
                query = Query.of(parameters, System.currentTimeMillis() * 1_000_000L);
            } catch (IllegalArgumentException e) {
                return AdminResponse.error(400, e.getMessage());
            }
            QueryResult result = routes.reader().run(query, count);
            return AdminResponse.json(200, QueryJson.result(query.describe(), result));
        });
    }

    private synchronized IndexReader reader() {
        if (reader == null) {
            reader = IndexReader.open(journalDirectory);
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(reader::close));
        }
        return reader;
    }
}
