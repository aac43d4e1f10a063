package io.ferrite.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.util.List;

/**
 * {@code ferrite bench jmh}: takes JMH's usual command line, and prepends the shared JVM flag list
 * to every fork so benchmarks run under the same flags as the server and the tests.
 *
 * <p>Thread-safety: run from the main thread.
 */
final class JmhMain {
    private JmhMain() {
    }

    static void run(String[] args) throws RunnerException, IOException {
        CommandLineOptions commandLine;
        try {
            commandLine = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("bench: " + e.getMessage() + " (run with -h for JMH's options)");
            System.exit(2);
            return;
        }
        if (commandLine.shouldHelp()) {
            commandLine.showHelp();
            return;
        }
        if (commandLine.shouldList()) {
            new Runner(commandLine).list();
            return;
        }
        if (commandLine.shouldListProfilers()) {
            commandLine.listProfilers();
            return;
        }
        List<String> flags = JvmOptionsFile.read(JvmOptionsFile.locate());
        new Runner(new OptionsBuilder()
            .parent(commandLine)
            .jvmArgsPrepend(flags.toArray(String[]::new))
            .build()).run();
    }
}
