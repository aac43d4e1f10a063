package io.ferrite.pipeline;

import io.ferrite.engine.EventHandler;
import io.ferrite.engine.EventView;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A user stage for the tests: remembers the types and priorities it was given; its options name its log. */
public final class RecordingStage implements EventHandler {
    static final Map<String, List<String>> SEEN = new ConcurrentHashMap<>();
    private final List<String> seen = new CopyOnWriteArrayList<>();

    public RecordingStage(Map<String, String> options) {
        SEEN.put(options.getOrDefault("log", "default"), seen);
    }

    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) {
        seen.add(event.type() + "/" + event.priority());
    }
}
