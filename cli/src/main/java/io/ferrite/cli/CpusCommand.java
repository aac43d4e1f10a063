package io.ferrite.cli;

import io.ferrite.affinity.CpuLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code ferrite cpus [LAYOUT]}: prints which core each role (io, journal, stages) would get under
 * a layout on this machine, and why; a bad layout says what to fix and exits with status 2.
 */
@Command(name = "cpus", mixinStandardHelpOptions = true,
    description = "Print which core each role (io, journal, stages) gets under a CPU layout, and why.")
final class CpusCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", defaultValue = "auto", paramLabel = "LAYOUT",
        description = "auto | none | io=0,journal=1,stages=1 (default ${DEFAULT-VALUE}).")
    String layout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(RunCommand.flag("LAYOUT", layout, CpuLayout::parse).plan());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
