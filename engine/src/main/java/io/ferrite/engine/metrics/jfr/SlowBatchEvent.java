package io.ferrite.engine.metrics.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * JFR: a stage finished a batch whose oldest event had waited more than
 * {@link #THRESHOLD_NANOS} since it was published.
 *
 * <p>Thread-safety: an event object belongs to the thread that made it.
 */
@Name("ferrite.SlowBatch")
@Label("Slow stage batch")
@Category({"Ferrite", "Stages"})
@Description("A stage handled a batch whose oldest event was published more than 10 ms before")
public final class SlowBatchEvent extends Event {
    /** Publish-to-handled above this makes a batch slow: 10 ms. */
    public static final long THRESHOLD_NANOS = 10_000_000L;
    /** Checked before making an event, so that nothing is allocated while no recording wants it. */
    public static final EventType TYPE = EventType.getEventType(SlowBatchEvent.class);

    @Label("Stage")
    public String stage;

    @Label("Events in the batch")
    public int events;

    @Label("Oldest event's latency")
    @Timespan(Timespan.NANOSECONDS)
    public long oldestLatency;
}
