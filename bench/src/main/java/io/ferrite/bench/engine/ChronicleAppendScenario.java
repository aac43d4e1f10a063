package io.ferrite.bench.engine;

import io.ferrite.bench.suite.Metric;
import io.ferrite.bench.suite.Sampler;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.TrialResult;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;

/**
 * The raw Chronicle Queue peer: one thread appending {@value ChronicleTailerPipe#RECORD_LENGTH}-byte
 * documents (Ferrite's journal record of a 64-byte payload) as fast as it can, with the same queue
 * setup as the journal ({@link ChronicleTailerPipe#open}). The ceiling of every ASYNC scenario.
 *
 * <p>Thread-safety: single-threaded (the runner's); the appended count is published with a release
 * store every {@value #CHECK_EVERY} appends for the sampler thread.
 */
public final class ChronicleAppendScenario implements Scenario {
    private static final int CHECK_EVERY = 1024;
    private static final VarHandle APPENDED;

    static {
        try {
            APPENDED = MethodHandles.lookup().findVarHandle(ChronicleAppendScenario.class, "appended", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private TempDirectory directory;
    private SingleChronicleQueue queue;
    private ExcerptAppender appender;
    private Arena arena;
    private MemorySegment record;
    @SuppressWarnings("unused") // through APPENDED
    private long appended;
    private long sequence;

    @Override
    public String name() {
        return "peer.chronicle.append";
    }

    @Override
    public String group() {
        return "peer";
    }

    @Override
    public String description() {
        return "raw Chronicle Queue append of the journal's " + ChronicleTailerPipe.RECORD_LENGTH + "-byte record, one thread";
    }

    @Override
    public Metric metric() {
        return Metric.THROUGHPUT;
    }

    @Override
    public List<String> peers() {
        return List.of();
    }

    @Override
    public void open() {
        directory = new TempDirectory();
        queue = ChronicleTailerPipe.open(directory.path());
        appender = queue.createAppender();
        arena = Arena.ofShared();
        record = arena.allocate(ChronicleTailerPipe.RECORD_LENGTH, 8);
    }

    @Override
    public TrialResult run(Duration duration, Duration sample) throws InterruptedException {
        long first = sequence;
        Sampler sampler = Sampler.start(() -> (long) APPENDED.getAcquire(this), sample);
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        long end;
        do {
            for (int k = 0; k < CHECK_EVERY; k++) {
                record.set(ValueLayout.JAVA_LONG_UNALIGNED, ChronicleTailerPipe.SEQUENCE_OFFSET, sequence);
                ChronicleTailerPipe.append(appender, record);
                sequence++;
            }
            APPENDED.setRelease(this, sequence);
            end = System.nanoTime();
        } while (end < deadline);
        double[] timeline = sampler.stop();
        return TrialResult.of(sequence - first, (end - start) / 1e9, null, timeline, sample.toNanos() / 1e9);
    }

    @Override
    public void close() {
        try {
            if (queue != null) {
                long written = queue.entryCount();
                appender.close();
                queue.close();
                arena.close();
                if (written != sequence) {
                    throw new IllegalStateException("queue holds " + written + " documents, appended " + sequence);
                }
            }
        } finally {
            queue = null;
            if (directory != null) {
                directory.close();
                directory = null;
            }
        }
    }
}
