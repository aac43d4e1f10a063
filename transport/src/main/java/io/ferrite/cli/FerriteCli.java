package io.ferrite.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ferrite}: the command line. Every command has {@code --help}; a bad flag prints what is
 * wrong and the command's usage, and exits with status 2.
 */
@Command(name = "ferrite", mixinStandardHelpOptions = true, version = "ferrite 0.1.0",
    description = "Ferrite: a durable, low-latency event engine.",
    subcommands = {RunCommand.class, SendCommand.class, ReplayCommand.class, DemoCommand.class,
        CommandLine.HelpCommand.class})
public final class FerriteCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit status (tests call this). */
    public static int execute(String... args) {
        CommandLine commandLine = new CommandLine(new FerriteCli());
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            CommandLine failed = exception.getCommandLine();
            failed.getErr().println("ferrite: " + exception.getMessage());
            failed.getErr().println("(see '" + failed.getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        commandLine.setExecutionExceptionHandler((exception, failed, parseResult) -> {
            failed.getErr().println("ferrite: " + exception.getMessage());
            return exception instanceof IllegalArgumentException ? 2 : 1;
        });
        return commandLine.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: run, send, replay, demo");
    }
}
