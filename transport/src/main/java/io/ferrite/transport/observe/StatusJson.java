package io.ferrite.transport.observe;

import io.ferrite.engine.metrics.LatencyWindow;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.transport.admin.JsonText;

import java.util.List;
import java.util.Locale;

/**
 * The JSON documents of {@code /status}, {@code /history} and {@code /alerts}: one writer for the
 * format the dashboard and operators' scripts read. Times are epoch milliseconds, latencies
 * microseconds, rates per second.
 *
 * <p>Thread-safety: stateless.
 */
final class StatusJson {
    private StatusJson() {
    }

    static String status(NodeObserver observer, String transport, String durability) {
        StatusPoint p = observer.latest();
        LatencyWindow ack = observer.ackWindow();
        int score = observer.healthScore();
        StringBuilder json = new StringBuilder(2048).append('{');
        field(json, "status", p.journalProblem() == null ? "UP" : "DEGRADED").append(',');
        json.append("\"uptimeSeconds\":").append((p.epochMillis() - observer.startedMillis()) / 1000).append(',');
        json.append("\"healthScore\":").append(score).append(",\"healthLoweredBy\":[");
        List<Alerts.Firing> firing = observer.alerts().firing();
        for (int i = 0; i < firing.size(); i++) {
            Alerts.Firing f = firing.get(i);
            json.append(i == 0 ? "" : ",").append(JsonText.quote(f.rule().severity().lowerCase() + " alert "
                + f.rule().name() + ": " + f.rule().description()));
        }
        json.append("],");
        field(json, "transport", transport).append(',');
        field(json, "durability", durability).append(',');
        json.append("\"rate\":{");
        number(json, "acceptedPerSecond", p.acceptedPerSecond()).append(',');
        number(json, "refusedPerSecond", p.refusedPerSecond()).append(',');
        number(json, "journaledPerSecond", p.journaledPerSecond()).append(',');
        number(json, "errorRate", p.errorRate()).append("},\"rejectedByCode\":{");
        ErrorCode[] codes = {ErrorCode.OVERLOADED, ErrorCode.INVALID_EVENT, ErrorCode.SHUTTING_DOWN,
            ErrorCode.JOURNAL_UNAVAILABLE};
        for (int i = 0; i < codes.length; i++) {
            json.append(i == 0 ? "" : ",").append(JsonText.quote(codes[i].name())).append(':')
                .append(observer.server().rejected(codes[i]));
        }
        json.append("},");
        json.append("\"ackLatencyMicros\":{");
        number(json, "windowSeconds", observer.interval().toMillis() * NodeObserver.WINDOW_INTERVALS / 1e3).append(',');
        json.append("\"count\":").append(ack.windowCount()).append(',');
        number(json, "p50", ack.percentileNanos(50) / 1e3).append(',');
        number(json, "p95", ack.percentileNanos(95) / 1e3).append(',');
        number(json, "p99", ack.percentileNanos(99) / 1e3).append(',');
        number(json, "p999", ack.percentileNanos(99.9) / 1e3).append(',');
        number(json, "p9999", ack.percentileNanos(99.99) / 1e3).append(',');
        number(json, "max", ack.maxNanos() / 1e3).append("},");
        json.append("\"stages\":[");
        for (int i = 0; i < p.stages().size(); i++) {
            StatusPoint.Stage stage = p.stages().get(i);
            json.append(i == 0 ? "{" : ",{");
            field(json, "name", stage.name()).append(",\"lag\":").append(stage.lag()).append(',');
            number(json, "handledPerSecond", stage.handledPerSecond()).append(',');
            number(json, "p99Micros", stage.p99Nanos() / 1e3).append('}');
        }
        json.append("],\"journal\":{\"directory\":")
            .append(observer.journalDirectory() == null ? "null" : JsonText.quote(observer.journalDirectory().toString()))
            .append(",\"sizeBytes\":").append(observer.journalSizeBytes())
            .append(",\"diskFreeBytes\":").append(p.diskFreeBytes()).append(",\"diskTotalBytes\":").append(p.diskTotalBytes())
            .append(",\"problem\":").append(p.journalProblem() == null ? "null" : JsonText.quote(p.journalProblem()))
            .append("},\"memory\":{\"heapUsedBytes\":").append(p.heapUsedBytes()).append(",\"heapMaxBytes\":")
            .append(p.heapMaxBytes()).append("},\"cpu\":{");
        number(json, "processLoad", p.cpuLoad()).append(",\"cpus\":").append(Runtime.getRuntime().availableProcessors())
            .append("},\"connections\":").append(p.connections()).append(",\"alertsFiring\":[");
        for (int i = 0; i < firing.size(); i++) {
            json.append(i == 0 ? "" : ",");
            firing(json, firing.get(i));
        }
        json.append("],\"recommendations\":[");
        List<Recommendations.Advice> advice = observer.recommendations();
        for (int i = 0; i < advice.size(); i++) {
            json.append(i == 0 ? "{" : ",{");
            field(json, "code", advice.get(i).code()).append(',');
            field(json, "text", advice.get(i).text()).append('}');
        }
        return json.append("]}").toString();
    }

    static String history(NodeObserver observer, int limit) {
        List<StatusPoint> points = observer.history(limit);
        StringBuilder json = new StringBuilder(256 + points.size() * 256).append("{\"intervalMillis\":")
            .append(observer.interval().toMillis()).append(",\"points\":[");
        for (int i = 0; i < points.size(); i++) {
            StatusPoint p = points.get(i);
            json.append(i == 0 ? "{" : ",{").append("\"t\":").append(p.epochMillis()).append(',');
            number(json, "accepted", p.acceptedPerSecond()).append(',');
            number(json, "refused", p.refusedPerSecond()).append(',');
            number(json, "journaled", p.journaledPerSecond()).append(',');
            number(json, "errorRate", p.errorRate()).append(',');
            number(json, "p50", p.ackP50Nanos() / 1e3).append(',');
            number(json, "p99", p.ackP99Nanos() / 1e3).append(',');
            number(json, "p999", p.ackP999Nanos() / 1e3).append(',');
            number(json, "max", p.ackMaxNanos() / 1e3).append(',');
            number(json, "cpu", p.cpuLoad()).append(",\"heapUsed\":").append(p.heapUsedBytes())
                .append(",\"connections\":").append(p.connections()).append(",\"lag\":{");
            for (int k = 0; k < p.stages().size(); k++) {
                json.append(k == 0 ? "" : ",").append(JsonText.quote(p.stages().get(k).name())).append(':')
                    .append(p.stages().get(k).lag());
            }
            json.append("}}");
        }
        return json.append("]}").toString();
    }

    static String alerts(Alerts alerts) {
        StringBuilder json = new StringBuilder(1024).append("{\"rules\":[");
        List<AlertRule> rules = alerts.rules();
        List<Alerts.State> states = alerts.states();
        for (int i = 0; i < rules.size(); i++) {
            AlertRule rule = rules.get(i);
            json.append(i == 0 ? "{" : ",{");
            field(json, "name", rule.name()).append(',');
            field(json, "severity", rule.severity().lowerCase()).append(',');
            field(json, "state", states.get(i).name().toLowerCase(Locale.ROOT)).append(',');
            field(json, "condition", (rule.above() ? "> " : "< ") + fmt(rule.threshold()) + " " + rule.unit()).append(',');
            json.append("\"holdForSeconds\":").append(rule.holdFor().toSeconds()).append(',');
            field(json, "description", rule.description()).append('}');
        }
        json.append("],\"firing\":[");
        List<Alerts.Firing> firing = alerts.firing();
        for (int i = 0; i < firing.size(); i++) {
            json.append(i == 0 ? "" : ",");
            firing(json, firing.get(i));
        }
        json.append("],\"transitions\":[");
        List<Alerts.Transition> transitions = alerts.transitions();
        for (int i = 0; i < transitions.size(); i++) {
            Alerts.Transition t = transitions.get(i);
            json.append(i == 0 ? "{" : ",{").append("\"t\":").append(t.epochMillis()).append(',');
            field(json, "alert", t.alert()).append(',');
            field(json, "severity", t.severity().lowerCase()).append(',');
            field(json, "from", t.from()).append(',');
            field(json, "to", t.to()).append(',');
            number(json, "value", t.value()).append(',');
            number(json, "threshold", t.threshold()).append(',');
            field(json, "unit", t.unit()).append('}');
        }
        return json.append("]}").toString();
    }

    private static void firing(StringBuilder json, Alerts.Firing f) {
        json.append('{');
        field(json, "name", f.rule().name()).append(',');
        field(json, "severity", f.rule().severity().lowerCase()).append(',');
        json.append("\"since\":").append(f.sinceEpochMillis()).append(',');
        number(json, "value", f.value()).append(',');
        number(json, "threshold", f.rule().threshold()).append(',');
        field(json, "unit", f.rule().unit()).append(',');
        field(json, "description", f.rule().description()).append('}');
    }

    private static StringBuilder field(StringBuilder json, String name, String value) {
        return json.append('"').append(name).append("\":").append(JsonText.quote(value));
    }

    private static StringBuilder number(StringBuilder json, String name, double value) {
        return json.append('"').append(name).append("\":").append(fmt(value));
    }

    private static String fmt(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "0";
        }
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
            : String.format(Locale.ROOT, "%.3f", value);
    }
}
