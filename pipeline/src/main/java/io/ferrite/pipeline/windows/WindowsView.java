package io.ferrite.pipeline.windows;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What {@code GET /windows} shows of one window stage: the newest window still open (its figures
 * over every group, and its busiest groups), and the stage's counts.
 *
 * <p>Thread-safety: immutable.
 *
 * @param watermark     the newest event timestamp seen (Long.MIN_VALUE: none yet)
 * @param openEvents    events in the newest open window, all groups
 * @param openGroups    groups with an event in it
 * @param top           its busiest groups, most events first
 * @param groups        groups the stage keeps apart now
 * @param builtAtMillis when this view was taken
 */
public record WindowsView(WindowSpec spec, long watermark, long openEvents, long openGroups, List<ClosedWindow> top,
                          long groups, long late, long closed, long overflowed, long builtAtMillis) {
    public WindowsView {
        top = List.copyOf(top);
    }

    public String json() {
        return String.format(Locale.ROOT, "{\"name\":\"%s\",\"groupBy\":\"%s\",\"size\":\"%s\",\"slide\":\"%s\",\"grace\":\"%s\","
                + "\"field\":%s,\"emit\":\"%s\",\"watermarkNanos\":%s,\"open\":{\"events\":%d,\"groups\":%d,\"top\":[%s]},"
                + "\"groups\":%d,\"late\":%d,\"closed\":%d,\"overflowed\":%d,\"ageMillis\":%d}",
            spec.name(), spec.byKey() ? "key" : "type", Duration.ofNanos(spec.sizeNanos()), Duration.ofNanos(spec.slideNanos()),
            Duration.ofNanos(spec.graceNanos()), spec.field() == null ? "null" : "\"" + spec.field() + "\"",
            spec.emit().replace("\"", "'"), watermark == Long.MIN_VALUE ? "null" : Long.toString(watermark), openEvents,
            openGroups, String.join(",", top.stream().map(ClosedWindow::json).toList()), groups, late, closed, overflowed,
            Math.max(0, System.currentTimeMillis() - builtAtMillis));
    }
}
