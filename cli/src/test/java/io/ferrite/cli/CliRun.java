package io.ferrite.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Test helper: one {@code ferrite} command line run in this JVM through picocli, its stdout and
 * stderr captured.
 *
 * <p>Thread-safety: immutable result; {@link #of} may run on any thread.
 *
 * @param status the exit status the command returned
 * @param out    what it printed to stdout
 * @param err    what it printed to stderr
 */
record CliRun(int status, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = FerriteCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int status = commandLine.execute(args);
        return new CliRun(status, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "status " + status + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
}
