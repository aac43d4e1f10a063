package io.ferrite.pipeline;

import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A later stage for the tests: records "key=what the enrichment stage found" for each event. */
public final class EnrichmentReader implements EventHandler {
    static final List<String> SEEN = new CopyOnWriteArrayList<>();
    private final Enrichments enrichments;

    public EnrichmentReader(Map<String, String> options) {
        this.enrichments = Enrichments.of(options.get("from"));
    }

    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) {
        SEEN.add(event.key() + "=" + enrichments.get(index));
    }
}
