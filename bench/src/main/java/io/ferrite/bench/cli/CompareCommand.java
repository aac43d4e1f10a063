package io.ferrite.bench.cli;

import io.ferrite.bench.report.BaselineCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ferrite bench compare --baseline OLD NEW}: the baseline check alone, on two existing
 * results.json files. Exit status 1 when a scenario regressed.
 *
 * <p>Thread-safety: run once from the main thread.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Compare a results.json with a baseline results.json; exit 1 on a regression.")
final class CompareCommand implements Callable<Integer> {
    @Option(names = "--baseline", required = true, description = "The earlier results.json.")
    Path baseline;

    @Option(names = "--threshold", defaultValue = "10",
        description = "Percent a median may get worse before it can count as a regression (default ${DEFAULT-VALUE}).")
    double threshold;

    @Parameters(index = "0", description = "The newer results.json.")
    Path current;

    @Override
    public Integer call() throws Exception {
        return BaselineCheck.compare(current, baseline, threshold, System.out) > 0 ? 1 : 0;
    }
}
