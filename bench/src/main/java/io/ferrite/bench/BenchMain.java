package io.ferrite.bench;

import io.ferrite.bench.cli.BenchCommand;
import org.openjdk.jmh.runner.RunnerException;

import java.io.IOException;
import java.util.Arrays;

/**
 * The benchmark jar's entry point ({@code bin/ferrite bench}): {@code jmh [JMH args]} hands the
 * rest of the command line to JMH; {@code sink [PORT]} runs the raw Netty peer as a process
 * ({@link SinkMain}); {@code broker} a Kafka broker for trying the lanes ({@link BrokerMain}); anything else is the {@code ferrite bench} suite harness.
 *
 * <p>Thread-safety: run from the main thread.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws RunnerException, IOException, InterruptedException {
        if (args.length > 0 && args[0].equals("jmh")) {
            JmhMain.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("sink")) {
            System.exit(SinkMain.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && args[0].equals("broker")) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
            int code;
            try {
                code = BrokerMain.run(Arrays.copyOfRange(args, 1, args.length));
            } catch (Exception e) {
                System.err.println("ferrite broker: " + e);
                code = 1;
            }
            if (code != 0) {
                System.exit(code);
            }
            return;
        }
        // Kafka's broker and Chronicle log at INFO through slf4j-simple; the report is the output here.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.exit(BenchCommand.execute(args));
    }
}
