package io.ferrite.cli;

import io.ferrite.engine.EventHandler;
import picocli.CommandLine;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM for the overload test: {@code ferrite run} from its real flags, with one stage that
 * handles at most {@code args[0]} events a second, so that the server's capacity is known and ten
 * times it can be offered from the same two cores. Prints {@code ready port=P admin=A}, then serves
 * until its standard input closes or it is killed.
 *
 * <p>Thread-safety: a main method.
 */
public final class ThrottledRunMain {
    private ThrottledRunMain() {
    }

    public static void main(String[] args) throws Exception {
        int eventsPerSecond = Integer.parseInt(args[0]);
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(Arrays.copyOfRange(args, 1, args.length));
        try (RunCommand.Running running = run.start(throttled(eventsPerSecond))) {
            System.out.println("ready port=" + running.server().port() + " admin=" + running.node().adminPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the parent closes our input
            }
        }
    }

    /** A stage paced to {@code eventsPerSecond}: each event is due 1/rate after the previous one. */
    static EventHandler throttled(int eventsPerSecond) {
        long nanosPerEvent = 1_000_000_000L / eventsPerSecond;
        long[] due = {0};
        long[] last = {0};
        return (event, index, endOfBatch) -> {
            long now = System.nanoTime();
            if (now - last[0] > 10_000_000L) {
                due[0] = now; // idle for a while: no burst to catch up (an oversleep is caught up, though)
            }
            last[0] = now;
            due[0] += nanosPerEvent;
            long wait = due[0] - now;
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        };
    }
}
