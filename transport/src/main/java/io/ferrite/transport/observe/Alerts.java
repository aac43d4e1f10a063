package io.ferrite.transport.observe;

import io.ferrite.engine.metrics.Metric;
import io.ferrite.engine.metrics.MetricRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Evaluates {@link AlertRule}s on each sample and keeps their states: inactive → pending (the
 * condition holds, not yet for long enough) → firing → resolved (back to inactive). Each
 * transition is logged once (firing as a warning), counted, and kept in a bounded list.
 *
 * <p>Thread-safety: thread-safe (synchronized); {@link #evaluate} from the observer's thread.
 */
public final class Alerts {
    private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);

    /** Where a rule stands. */
    public enum State { INACTIVE, PENDING, FIRING }

    /** One change of state, as kept and shown. */
    public record Transition(long epochMillis, String alert, AlertRule.Severity severity, String from, String to,
                             double value, double threshold, String unit, String description) {
    }

    /** A rule that fires now, since when, and its latest value. */
    public record Firing(AlertRule rule, long sinceEpochMillis, double value) {
    }

    private final List<AlertRule> rules;
    private final State[] states;
    private final long[] since;
    private final double[] values;
    private final long[] transitionCounts;
    private final int maxTransitions;
    private final ArrayDeque<Transition> transitions = new ArrayDeque<>();

    public Alerts(List<AlertRule> rules, int maxTransitions) {
        this.rules = List.copyOf(rules);
        this.states = new State[rules.size()];
        Arrays.fill(states, State.INACTIVE);
        this.since = new long[rules.size()];
        this.values = new double[rules.size()];
        this.transitionCounts = new long[rules.size()];
        this.maxTransitions = maxTransitions;
    }

    /** Adds {@code ferrite_alert_firing{alert}} (0 or 1) and {@code ferrite_alert_transitions{alert}} per rule. */
    public void registerInto(MetricRegistry registry) {
        for (int i = 0; i < rules.size(); i++) {
            int rule = i;
            registry.add(Metric.gauge("ferrite_alert_firing", "1 while the alert fires", () -> firingFlag(rule))
                .withLabel("alert", rules.get(i).name()));
            registry.add(Metric.counter("ferrite_alert_transitions", "State changes of the alert (pending, firing,"
                + " resolved)", () -> transitionCount(rule)).withLabel("alert", rules.get(i).name()));
        }
    }

    private synchronized long firingFlag(int rule) {
        return states[rule] == State.FIRING ? 1 : 0;
    }

    private synchronized long transitionCount(int rule) {
        return transitionCounts[rule];
    }

    public List<AlertRule> rules() {
        return rules;
    }

    /** Moves every rule on by one sample. */
    public synchronized void evaluate(StatusPoint point) {
        long now = point.epochMillis();
        for (int i = 0; i < rules.size(); i++) {
            AlertRule rule = rules.get(i);
            double value = rule.signal().applyAsDouble(point);
            values[i] = value;
            boolean breached = !Double.isNaN(value) && rule.breached(value);
            switch (states[i]) {
                case INACTIVE -> {
                    if (breached) {
                        since[i] = now;
                        move(i, rule.holdFor().isZero() ? State.FIRING : State.PENDING, now, value, "firing");
                    }
                }
                case PENDING -> {
                    if (!breached) {
                        move(i, State.INACTIVE, now, value, "inactive");
                    } else if (now - since[i] >= rule.holdFor().toMillis()) {
                        move(i, State.FIRING, now, value, "firing");
                    }
                }
                case FIRING -> {
                    if (!breached) {
                        move(i, State.INACTIVE, now, value, "resolved");
                    }
                }
            }
        }
    }

    private void move(int i, State to, long now, double value, String firingName) {
        AlertRule rule = rules.get(i);
        String from = states[i].name().toLowerCase(Locale.ROOT);
        String toName = to == State.PENDING ? "pending" : firingName;
        states[i] = to;
        transitionCounts[i]++;
        transitions.addLast(new Transition(now, rule.name(), rule.severity(), from, toName, value, rule.threshold(),
            rule.unit(), rule.description()));
        while (transitions.size() > maxTransitions) {
            transitions.removeFirst();
        }
        String message = String.format(Locale.ROOT, "alert %s (%s) %s -> %s: %s (%.2f %s, limit %s %.2f)", rule.name(),
            rule.severity().lowerCase(), from, toName, rule.description(), value, rule.unit(),
            rule.above() ? "above" : "below", rule.threshold());
        if (to == State.FIRING) {
            LOG.warn(message);
        } else {
            LOG.info(message);
        }
        AlertTransitionEvent event = new AlertTransitionEvent();
        event.alert = rule.name();
        event.severity = rule.severity().lowerCase();
        event.from = from;
        event.to = toName;
        event.value = value;
        event.threshold = rule.threshold();
        event.commit();
    }

    /** The rules firing now. */
    public synchronized List<Firing> firing() {
        List<Firing> firing = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            if (states[i] == State.FIRING) {
                firing.add(new Firing(rules.get(i), since[i], values[i]));
            }
        }
        return firing;
    }

    /** The state of every rule, in rule order. */
    public synchronized List<State> states() {
        return List.of(states.clone());
    }

    /** The kept transitions, oldest first. */
    public synchronized List<Transition> transitions() {
        return List.copyOf(transitions);
    }

    /** Forgets the kept transitions ({@code DELETE /alerts}); states and counts stay. */
    public synchronized void clearTransitions() {
        transitions.clear();
    }
}
