package io.ferrite.transport.server;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * JFR: an FWP/1 connection ended, with the ERROR code the server closed it with, if any.
 *
 * <p>Thread-safety: an event object belongs to the thread that made it.
 */
@Name("ferrite.ConnectionClosed")
@Label("Connection closed")
@Category({"Ferrite", "Server"})
@Description("An FWP/1 connection ended; the code says why when the server closed it with an ERROR")
final class ConnectionClosedEvent extends Event {
    /** Checked before making an event, so that nothing is allocated while no recording wants it. */
    static final EventType TYPE = EventType.getEventType(ConnectionClosedEvent.class);

    @Label("Remote address")
    String remote;

    @Label("Error code")
    @Description("The ERROR the server sent before closing, or 'none' when the client closed or the connection failed")
    String code;

    @Label("Lifetime")
    @Timespan(Timespan.NANOSECONDS)
    long lifetime;
}
