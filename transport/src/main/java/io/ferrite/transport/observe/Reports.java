package io.ferrite.transport.observe;

import io.ferrite.transport.admin.JsonText;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The periodic report: every period (5 min by default) what the node did in it — events, rates,
 * ACK latency over the whole period, the worst lag, the lowest health score, the alert transitions
 * and the advice at its end — kept for {@code GET /report} and written as markdown and JSON into
 * {@code reports/} in the journal directory, the newest {@code keep} of them.
 *
 * <p>Thread-safety: called from the observer's thread ({@link #sampled}); {@link #latestJson} from any.
 */
final class Reports {
    private static final Logger LOG = LoggerFactory.getLogger(Reports.class);
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final long periodMillis;
    private final int keep;
    private final Path directory;
    private final Histogram ackLatency = new Histogram(3_600_000_000_000L, 3);
    private long periodStart;
    private double accepted;
    private double refused;
    private double journaled;
    private long maxLag;
    private int lowestScore = 100;
    private volatile String latestJson;

    /** @param directory where reports are written ({@code reports/} is made in it), or null to keep them in memory only */
    Reports(long periodMillis, int keep, Path directory, long nowMillis) {
        this.periodMillis = periodMillis;
        this.keep = keep;
        this.directory = directory == null ? null : directory.resolve("reports");
        this.periodStart = nowMillis;
    }

    /** Adds one sample to the period; at its end, writes the report and starts the next. */
    void sampled(NodeObserver observer, StatusPoint point, double seconds) {
        accepted += point.acceptedPerSecond() * seconds;
        refused += point.refusedPerSecond() * seconds;
        journaled += point.journaledPerSecond() * seconds;
        maxLag = Math.max(maxLag, point.stages().stream().mapToLong(StatusPoint.Stage::lag).max().orElse(0));
        lowestScore = Math.min(lowestScore, observer.healthScore());
        observer.ackWindow().addNewestTo(ackLatency);
        if (point.epochMillis() - periodStart >= periodMillis) {
            publish(observer, point.epochMillis());
        }
    }

    private void publish(NodeObserver observer, long endMillis) {
        double seconds = Math.max(1e-3, (endMillis - periodStart) / 1e3);
        List<Alerts.Transition> transitions = observer.alerts().transitions().stream()
            .filter(t -> t.epochMillis() > periodStart && t.epochMillis() <= endMillis).toList();
        List<Recommendations.Advice> advice = observer.recommendations();
        String json = json(endMillis, seconds, transitions, advice);
        latestJson = json;
        if (directory != null) {
            write(endMillis, json, markdown(endMillis, seconds, transitions, advice));
        }
        periodStart = endMillis;
        accepted = 0;
        refused = 0;
        journaled = 0;
        maxLag = 0;
        lowestScore = observer.healthScore();
        ackLatency.reset();
    }

    /** The newest report as JSON, or null before the first period ended. */
    String latestJson() {
        return latestJson;
    }

    private String json(long end, double seconds, List<Alerts.Transition> transitions, List<Recommendations.Advice> advice) {
        StringBuilder json = new StringBuilder(1024).append(String.format(Locale.ROOT,
            "{\"from\":%d,\"to\":%d,\"events\":{\"accepted\":%d,\"refused\":%d,\"journaled\":%d},"
                + "\"ratePerSecond\":{\"accepted\":%.1f,\"journaled\":%.1f},\"ackLatencyMicros\":{\"count\":%d,"
                + "\"p50\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f},\"maxStageLag\":%d,\"lowestHealthScore\":%d,"
                + "\"alertTransitions\":[",
            periodStart, end, Math.round(accepted), Math.round(refused), Math.round(journaled), accepted / seconds,
            journaled / seconds, ackLatency.getTotalCount(), micros(50), micros(99), micros(99.9),
            ackLatency.getTotalCount() == 0 ? 0 : ackLatency.getMaxValue() / 1e3, maxLag, lowestScore));
        for (int i = 0; i < transitions.size(); i++) {
            Alerts.Transition t = transitions.get(i);
            json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "{\"t\":%d,\"alert\":%s,\"to\":%s}",
                t.epochMillis(), JsonText.quote(t.alert()), JsonText.quote(t.to())));
        }
        json.append("],\"recommendations\":[");
        for (int i = 0; i < advice.size(); i++) {
            json.append(i == 0 ? "" : ",").append(JsonText.quote(advice.get(i).text()));
        }
        return json.append("]}").toString();
    }

    private String markdown(long end, double seconds, List<Alerts.Transition> transitions,
                            List<Recommendations.Advice> advice) {
        StringBuilder md = new StringBuilder(1024);
        md.append("# Ferrite report, ").append(Instant.ofEpochMilli(periodStart)).append(" to ").append(Instant.ofEpochMilli(end))
            .append("\n\n| | |\n|---|---|\n");
        md.append(String.format(Locale.ROOT, "| events accepted | %,d (%,.0f/s) |%n", Math.round(accepted), accepted / seconds));
        md.append(String.format(Locale.ROOT, "| events refused | %,d |%n", Math.round(refused)));
        md.append(String.format(Locale.ROOT, "| events journaled | %,d (%,.0f/s) |%n", Math.round(journaled),
            journaled / seconds));
        md.append(String.format(Locale.ROOT, "| ACK latency p50 / p99 / p99.9 / max | %.0f / %.0f / %.0f / %.0f µs |%n",
            micros(50), micros(99), micros(99.9), ackLatency.getTotalCount() == 0 ? 0 : ackLatency.getMaxValue() / 1e3));
        md.append(String.format(Locale.ROOT, "| worst stage lag | %,d events |%n", maxLag));
        md.append(String.format(Locale.ROOT, "| lowest health score | %d |%n", lowestScore));
        md.append("\n## Alert transitions\n");
        if (transitions.isEmpty()) {
            md.append("none\n");
        }
        transitions.forEach(t -> md.append("- ").append(Instant.ofEpochMilli(t.epochMillis())).append(' ')
            .append(t.alert()).append(": ").append(t.from()).append(" → ").append(t.to()).append('\n'));
        md.append("\n## Recommendations\n");
        if (advice.isEmpty()) {
            md.append("none\n");
        }
        advice.forEach(a -> md.append("- ").append(a.text()).append('\n'));
        return md.toString();
    }

    private double micros(double percentile) {
        return ackLatency.getTotalCount() == 0 ? 0 : ackLatency.getValueAtPercentile(percentile) / 1e3;
    }

    private void write(long end, String json, String markdown) {
        try {
            Files.createDirectories(directory);
            String name = "report-" + FILE_TIME.format(Instant.ofEpochMilli(end));
            Files.writeString(directory.resolve(name + ".json"), json + "\n");
            Files.writeString(directory.resolve(name + ".md"), markdown);
            try (Stream<Path> files = Files.list(directory)) {
                List<Path> old = files.filter(f -> f.getFileName().toString().startsWith("report-")).sorted().toList();
                for (int i = 0; i < old.size() - 2L * keep; i++) {
                    Files.deleteIfExists(old.get(i)); // oldest first: two files per report
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot write the report into {}: {}", directory, e.toString());
        }
    }
}
