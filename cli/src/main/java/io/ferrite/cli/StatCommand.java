package io.ferrite.cli;

import io.ferrite.engine.Durations;
import io.ferrite.engine.metrics.CountersFileReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ferrite stat}: a server's counters read from outside it, from the counters file in its
 * journal directory — while it runs, after it stopped, and after it was killed (then the values are
 * those of its last update, at most 100 ms before it died). With {@code --watch}, again every
 * interval, with each counter's rate since the previous sample.
 *
 * <p>Thread-safety: picocli fills the fields, then one thread calls {@link #call()}.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Print a server's counters from the counters file in its journal directory (also after a crash).")
final class StatCommand implements Callable<Integer> {
    @Option(names = "--journal", required = true, description = "The server's journal directory (as given to 'ferrite run --journal').")
    Path journal;

    @Option(names = "--watch", description = "Print them again every --interval, with rates, until interrupted.")
    boolean watch;

    @Option(names = "--interval", defaultValue = "1s", description = "How often --watch prints (default ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--samples", defaultValue = "0", description = "With --watch: stop after this many prints (default ${DEFAULT-VALUE}: never).")
    int samples;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Duration every = RunCommand.flag("--interval", interval, Durations::parse);
        if (every.isZero()) {
            throw new IllegalArgumentException("--interval must be more than 0");
        }
        if (samples < 0) {
            throw new IllegalArgumentException("--samples must be >= 0 (0 = never stop), was " + samples);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (CountersFileReader reader = CountersFileReader.open(journal)) {
            Map<Integer, Long> previous = new HashMap<>();
            long previousNanos = 0;
            for (int printed = 0; ; printed++) {
                long now = System.nanoTime();
                print(out, reader, watch && printed > 0 ? previous : null, (now - previousNanos) / 1e9);
                out.flush();
                if (!watch || (samples > 0 && printed + 1 >= samples)) {
                    return 0;
                }
                previous.clear();
                reader.entries().forEach(entry -> previous.put(entry.id(), entry.value()));
                previousNanos = now;
                Thread.sleep(every.toMillis());
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(e.getMessage() + ": " + e.getReason(), e);
        }
    }

    private static void print(PrintWriter out, CountersFileReader reader, Map<Integer, Long> previous, double seconds) {
        Instant heartbeat = reader.heartbeat();
        long agoMillis = Math.max(0, Instant.now().toEpochMilli() - heartbeat.toEpochMilli());
        String state = switch (reader.state()) {
            case RUNNING -> "running";
            case CLOSED -> "stopped cleanly";
            case DIED -> "not running and did not stop cleanly (killed or crashed): the values are those of its last update";
        };
        out.printf(Locale.ROOT, "%s: pid %d %s; started %s, last update %s (%s ago)%n", reader.path(), reader.pid(), state,
            clock(reader.started()), clock(heartbeat), age(agoMillis));
        List<CountersFileReader.Entry> entries = reader.entries();
        int width = entries.stream().mapToInt(e -> e.label().length()).max().orElse(10);
        for (CountersFileReader.Entry entry : entries) {
            String rate = "";
            if (previous != null && entry.counter() && previous.containsKey(entry.id()) && seconds > 0) {
                rate = String.format(Locale.ROOT, "  %,.0f/s", (entry.value() - previous.get(entry.id())) / seconds);
            }
            out.printf(Locale.ROOT, "  %-" + width + "s %,18d%s%n", entry.label(), entry.value(), rate);
        }
    }

    private static String clock(Instant instant) {
        return LocalTime.ofInstant(instant, ZoneId.systemDefault()).truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static String age(long millis) {
        if (millis < 10_000) {
            return millis + " ms";
        }
        Duration d = Duration.ofMillis(millis);
        return d.toHours() > 0 ? d.toHours() + " h " + d.toMinutesPart() + " min"
            : d.toMinutes() > 0 ? d.toMinutes() + " min " + d.toSecondsPart() + " s" : d.toSeconds() + " s";
    }
}
