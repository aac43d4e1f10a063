package io.ferrite.engine.metrics.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR: the dedup window was rebuilt from the journal at start; its duration is the rebuild's.
 *
 * <p>Thread-safety: an event object belongs to the thread that made it.
 */
@Name("ferrite.DedupRestore")
@Label("Dedup window restore")
@Category({"Ferrite", "State"})
@Description("The dedup window refilled from the journal's newest records at start-up")
public final class DedupRestoreEvent extends Event {
    @Label("Journal records read")
    public long recordsRead;

    @Label("Event ids restored")
    public long idsRestored;
}
