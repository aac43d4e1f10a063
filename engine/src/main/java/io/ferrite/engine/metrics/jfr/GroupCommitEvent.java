package io.ferrite.engine.metrics.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR: one SYNC group commit (an msync of everything appended since the last one); its duration is
 * the msync's.
 *
 * <p>Thread-safety: an event object belongs to the thread that made it.
 */
@Name("ferrite.GroupCommit")
@Label("Group commit")
@Category({"Ferrite", "Journal"})
@Description("An msync that made every record appended since the previous one durable")
public final class GroupCommitEvent extends Event {
    /** Checked before making an event, so that nothing is allocated while no recording wants it. */
    public static final EventType TYPE = EventType.getEventType(GroupCommitEvent.class);

    @Label("Durable up to index")
    public long durableUpTo;

    @Label("Records made durable")
    public long records;
}
