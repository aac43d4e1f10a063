package io.ferrite.engine.metrics.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR: a stage stored its checkpoint (the last journal index it handled).
 *
 * <p>Thread-safety: an event object belongs to the thread that made it.
 */
@Name("ferrite.Checkpoint")
@Label("Stage checkpoint")
@Category({"Ferrite", "Stages"})
@Description("A stage stored the last journal index it handled")
public final class CheckpointEvent extends Event {
    /** Checked before making an event, so that nothing is allocated while no recording wants it. */
    public static final EventType TYPE = EventType.getEventType(CheckpointEvent.class);

    @Label("Stage")
    public String stage;

    @Label("Index")
    public long index;
}
