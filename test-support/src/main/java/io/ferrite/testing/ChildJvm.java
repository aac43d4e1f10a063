package io.ferrite.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: starts a child JVM the way {@code bin/ferrite} starts Ferrite — the same java, the
 * one shared flag list ({@code config/jvm.options}, passed to the tests by Surefire as
 * {@code -Dferrite.jvmOptions}), the test's class path — for crash tests that kill -9 a real
 * process. Children run with a small initial heap and C1 only: several may run beside the test JVM
 * on a 2-core machine, and they live for seconds.
 *
 * <p>Thread-safety: stateless.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** The command line for {@code mainClass} with {@code args}; extra JVM flags go before the main class. */
    public static List<String> command(Class<?> mainClass, List<String> jvmFlags, String... args) {
        String flagFile = System.getProperty("ferrite.jvmOptions");
        if (flagFile == null) {
            throw new IllegalStateException("-Dferrite.jvmOptions is not set: run tests through Maven (bin/test)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("@" + flagFile);
        command.add("-Xms64m");
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** Starts {@code mainClass} with stderr merged into stdout. */
    public static Process start(Class<?> mainClass, String... args) throws IOException {
        return new ProcessBuilder(command(mainClass, List.of(), args)).redirectErrorStream(true).start();
    }
}
