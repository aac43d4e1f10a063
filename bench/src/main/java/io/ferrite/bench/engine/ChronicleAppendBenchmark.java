package io.ferrite.bench.engine;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * (b) The raw Chronicle Queue append that Ferrite's ASYNC journal is built on, alone: one thread,
 * no consumer, one op = one {@value ChronicleTailerPipe#RECORD_LENGTH}-byte document
 * ({@code writingDocument()}, {@code writeSkip(112)}, one copy to {@code addressForWrite}), same
 * roll cycle and sync mode as Ferrite's journal, in a fresh directory under
 * {@code java.io.tmpdir} deleted after the fork. The ceiling for {@code ferrite-async} in
 * {@link JournalThroughputBenchmark}, which also has a stage reading every record.
 *
 * <p>Thread-safety: one benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class ChronicleAppendBenchmark {
    private TempDirectory directory;
    private SingleChronicleQueue queue;
    private ExcerptAppender appender;
    private Arena arena;
    private MemorySegment record;
    private long sequence;

    @Setup(Level.Trial)
    public void open() {
        directory = new TempDirectory();
        queue = ChronicleTailerPipe.open(directory.path());
        appender = queue.createAppender();
        arena = Arena.ofShared();
        record = arena.allocate(ChronicleTailerPipe.RECORD_LENGTH, 8);
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            long written = queue.entryCount();
            if (written != sequence) {
                throw new IllegalStateException("queue holds " + written + " documents, appended " + sequence);
            }
            appender.close();
            queue.close();
            arena.close();
        } finally {
            directory.close();
        }
    }

    @Benchmark
    public long append() {
        record.set(ValueLayout.JAVA_LONG_UNALIGNED, ChronicleTailerPipe.SEQUENCE_OFFSET, sequence);
        ChronicleTailerPipe.append(appender, record);
        return sequence++;
    }
}
