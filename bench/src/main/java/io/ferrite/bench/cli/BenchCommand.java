package io.ferrite.bench.cli;

import io.ferrite.bench.report.BaselineCheck;
import io.ferrite.bench.report.MarkdownReport;
import io.ferrite.bench.report.Plots;
import io.ferrite.bench.report.ResultsJson;
import io.ferrite.bench.report.RunRecord;
import io.ferrite.bench.suite.MachineInfo;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.ScenarioResult;
import io.ferrite.bench.suite.SuiteKind;
import io.ferrite.bench.suite.SuiteRunner;
import io.ferrite.bench.suite.TrialProfiler;
import io.ferrite.cli.profile.ProfileEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code ferrite bench}: runs a suite of scenarios in this JVM (Ferrite embedded and over TCP, and
 * its peers side by side), writes report.md, results.json and plots/*.svg into {@code --out}, and
 * with {@code --baseline} compares against an earlier results.json: exit status 1 when a scenario
 * regressed (see {@link BaselineCheck} for the noise rule), 3 when no scenario could run. With
 * {@code --profile EVENT} each scenario's measured trials are profiled (see {@link TrialProfiler}).
 *
 * <p>Thread-safety: run once from the main thread.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    subcommands = CompareCommand.class,
    description = {"Run Ferrite's benchmark suite beside its peers (Disruptor, ArrayBlockingQueue, raw Chronicle "
        + "Queue, raw Netty, loopback TCP, Apache Kafka) and write report.md, results.json and SVG plots."},
    footer = {"", "Other forms:",
        "  bench jmh [JMH args]                 the JMH microbenchmarks (e.g. bench jmh -prof gc Slab)",
        "  bench compare --baseline OLD NEW     compare two results.json files only",
        "", "Exit status: 0 ok, 1 regression against --baseline, 2 bad usage, 3 no scenario ran."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--suite", defaultValue = "quick",
        description = "smoke (seconds, CI) | quick (~3 min) | full (<= 30 min on 2 cores); default ${DEFAULT-VALUE}.")
    String suite;

    @Option(names = "--out", description = "Directory for report.md, results.json and plots/ (required to run).")
    Path out;

    @Option(names = "--baseline", description = "An earlier results.json to compare with.")
    Path baseline;

    @Option(names = "--threshold", defaultValue = "10",
        description = "Percent a median may get worse before it can count as a regression (default ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--scenario", defaultValue = "",
        description = "Only scenarios whose name matches this regular expression (e.g. 'tcp\\.max|peer').")
    String scenario;

    @Option(names = "--profile", paramLabel = "EVENT",
        description = "Profile each scenario's measured trials (not its warm-up or setup) with async-profiler: "
            + "cpu | alloc | wall | lock. Profiled numbers are not comparable to unprofiled ones.")
    String profile;

    @Option(names = "--profile-out", paramLabel = "DIR",
        description = "Where the flamegraphs go: <scenario>-<event>.html and .collapsed.txt (default: <out>/flames).")
    Path profileOut;

    @Option(names = "--list", description = "Print the suite's scenario names and exit.")
    boolean list;

    private String[] arguments = new String[0];

    /** Parses, runs and returns the exit status (picocli prints usage errors with what to fix). */
    public static int execute(String... args) {
        BenchCommand command = new BenchCommand();
        command.arguments = args.clone();
        return new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        SuiteKind kind = parseSuite(suite);
        Pattern filter;
        try {
            filter = Pattern.compile(scenario);
        } catch (PatternSyntaxException e) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                "--scenario '" + scenario + "' is not a regular expression: " + e.getDescription());
        }
        if (threshold < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--threshold must be >= 0, was " + threshold);
        }
        if (baseline != null && !Files.isRegularFile(baseline)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--baseline " + baseline + " is not a file");
        }
        ProfileEvent profileEvent = parseProfile();
        List<Scenario> scenarios = Catalog.select(kind, filter);
        if (list) {
            scenarios.forEach(s -> System.out.println(s.name()));
            return 0;
        }
        if (out == null) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                "--out DIR is required: where report.md, results.json and plots/ go");
        }
        if (scenarios.isEmpty()) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                "--scenario '" + scenario + "' matches no scenario of the " + kind.cliName() + " suite (see --list)");
        }
        PrintStream log = System.out;
        Instant started = Instant.now();
        long start = System.nanoTime();
        MachineInfo machine = MachineInfo.detect();
        log.printf(Locale.ROOT, "ferrite bench --suite %s: %d scenario(s) on %s%n", kind.cliName(), scenarios.size(),
            machine.line());
        TrialProfiler profiler = null;
        if (profileEvent != null) {
            Path flames = profileOut != null ? profileOut : out.resolve("flames");
            profiler = new TrialProfiler(profileEvent, flames, out);
            log.printf(Locale.ROOT, "profiling %s during the measured trials into %s: these numbers are not "
                + "comparable to unprofiled ones%n", profileEvent, flames);
        }
        List<ScenarioResult> results = new SuiteRunner(kind.plan(), log, profiler).run(scenarios);
        RunRecord run = new RunRecord(kind, "ferrite bench " + String.join(" ", arguments), started,
            (System.nanoTime() - start) / 1e9, machine, results, profileEvent);
        Files.createDirectories(out);
        List<String> plots = Plots.write(out.resolve("plots"), results);
        Files.writeString(out.resolve("results.json"), ResultsJson.write(run));
        Files.writeString(out.resolve("report.md"), MarkdownReport.write(run, plots));
        log.printf(Locale.ROOT, "wrote %s, %s and %d plot(s) in %.0f s%n", out.resolve("report.md"),
            out.resolve("results.json"), plots.size(), run.seconds());
        if (results.stream().noneMatch(ScenarioResult::ran)) {
            log.println("no scenario ran");
            return 3;
        }
        if (baseline != null) {
            return BaselineCheck.compare(out.resolve("results.json"), baseline, threshold, log) > 0 ? 1 : 0;
        }
        return 0;
    }

    private ProfileEvent parseProfile() {
        if (profile == null) {
            if (profileOut != null) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                    "--profile-out needs --profile cpu|alloc|wall|lock");
            }
            return null;
        }
        try {
            return ProfileEvent.parse(profile);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--profile: " + e.getMessage());
        }
    }

    private SuiteKind parseSuite(String text) {
        for (SuiteKind kind : SuiteKind.values()) {
            if (kind.cliName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new CommandLine.ParameterException(new CommandLine(this),
            "--suite '" + text + "' is not one of smoke, quick, full");
    }
}
