package io.ferrite.bench.engine;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One system under test for one trial (fork): opened before the first warm-up iteration, checked
 * (every event handled, right checksum) and closed after the last measurement, its journal
 * directory deleted. Subclasses name the systems with a {@code @Param pipe}.
 *
 * <p>Thread-safety: used by the one benchmark thread.
 */
@State(Scope.Benchmark)
public abstract class PipeState {
    EventPipe events;
    /** Events published so far; the next event's sequence number. */
    long published;
    private TempDirectory directory;

    abstract String pipe();

    @Setup(Level.Trial)
    public void open() {
        directory = new TempDirectory();
        events = Pipes.open(pipe(), directory.path());
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            if (events != null) {
                events.verifyAndClose(published);
            }
        } finally {
            directory.close();
        }
    }

    /** Publishes {@code count} events, then waits until the last consumer has handled them all. */
    final long publishBatchAndWait(int count) {
        long end = published + count;
        for (long sequence = published; sequence < end; sequence++) {
            events.publish(sequence);
        }
        published = end;
        events.awaitHandled(end);
        return end;
    }

    /** Publishes one event and waits until the last consumer has handled it. */
    final long publishOneAndWait() {
        long sequence = published++;
        events.publish(sequence);
        events.awaitHandled(sequence + 1);
        return sequence;
    }
}
