package io.ferrite.transport.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR: an alert changed state (pending, firing, resolved).
 *
 * <p>Thread-safety: an event object belongs to the thread that made it.
 */
@Name("ferrite.AlertTransition")
@Label("Alert transition")
@Category({"Ferrite", "Alerts"})
@Description("An alert rule changed state")
final class AlertTransitionEvent extends Event {
    @Label("Alert")
    String alert;

    @Label("Severity")
    String severity;

    @Label("From")
    String from;

    @Label("To")
    String to;

    @Label("Value")
    double value;

    @Label("Threshold")
    double threshold;
}
