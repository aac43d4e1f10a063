package io.ferrite.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ferrite}: the command line. Every command has {@code --help}; a bad flag prints what is
 * wrong and the command's usage, and exits with status 2.
 */
@Command(name = "ferrite", mixinStandardHelpOptions = true, version = "ferrite 0.1.0",
    description = "Ferrite: a durable, low-latency event engine.",
    subcommands = {RunCommand.class, SendCommand.class, ReplayCommand.class, DemoCommand.class, ProfileCommand.class,
        CpusCommand.class, StatCommand.class, StatusCommand.class, PipelineCommand.class, HooksCommand.class, DlqCommand.class, QueryCommand.class,
        CommandLine.HelpCommand.class})
public final class FerriteCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit status. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /**
     * The command line with Ferrite's error handling: a bad flag or flag value prints
     * {@code ferrite: <what is wrong>} and a pointer to {@code --help} on stderr, and exits 2;
     * any other failure prints {@code ferrite: <message>} and exits 1. Tests set its out and err.
     */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new FerriteCli());
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            CommandLine failed = exception.getCommandLine();
            failed.getErr().println("ferrite: " + exception.getMessage());
            failed.getErr().println("(see '" + failed.getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        commandLine.setExecutionExceptionHandler((exception, failed, parseResult) -> {
            failed.getErr().println("ferrite: " + exception.getMessage());
            if (exception instanceof IllegalArgumentException) {
                failed.getErr().println("(see '" + failed.getCommandSpec().qualifiedName() + " --help')");
                return 2;
            }
            return 1;
        });
        return commandLine;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: run, send, replay, query, stat, demo, profile, pipeline, cpus");
    }
}
