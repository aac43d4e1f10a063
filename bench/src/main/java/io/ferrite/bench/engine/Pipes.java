package io.ferrite.bench.engine;

import com.lmax.disruptor.dsl.ProducerType;
import io.ferrite.engine.Durability;
import io.ferrite.engine.StageThreading;

import java.nio.file.Path;

/**
 * The systems under test by name, as the benchmarks' {@code @Param} values spell them.
 *
 * <p>Thread-safety: stateless.
 */
final class Pipes {
    private Pipes() {
    }

    /**
     * @param journal a fresh directory, used by the names that journal to disk
     */
    static EventPipe open(String name, Path journal) {
        return switch (name) {
            // (a) one consumer, in memory
            case "ferrite-memory" -> new FerritePipe(Durability.MEMORY, 1, StageThreading.FUSED, false, null);
            case "ferrite-memory-dedup" -> new FerritePipe(Durability.MEMORY, 1, StageThreading.FUSED, true, null);
            case "disruptor" -> new DisruptorPipe(ProducerType.SINGLE, 1, false);
            case "disruptor-multi" -> new DisruptorPipe(ProducerType.MULTI, 1, false);
            case "abq" -> new BlockingQueuePipe();
            // (b) one consumer, journaled to a memory-mapped file
            case "ferrite-async" -> new FerritePipe(Durability.ASYNC, 1, StageThreading.FUSED, false, journal);
            // the same with metrics off: no counters file (its cost, for the observability report)
            case "ferrite-async-metrics-off" -> new FerritePipe(Durability.ASYNC, 1, StageThreading.FUSED, false, journal,
                false);
            case "chronicle-tailer" -> new ChronicleTailerPipe(journal);
            case "ferrite-sync" -> new FerritePipe(Durability.SYNC, 1, StageThreading.FUSED, false, journal);
            // (c) three consumers in a chain
            case "ferrite-fused" -> new FerritePipe(Durability.MEMORY, 3, StageThreading.FUSED, false, null);
            case "ferrite-separate" -> new FerritePipe(Durability.MEMORY, 3, StageThreading.SEPARATE, false, null);
            case "disruptor-chain" -> new DisruptorPipe(ProducerType.SINGLE, 3, false);
            case "disruptor-one-thread" -> new DisruptorPipe(ProducerType.SINGLE, 3, true);
            // (d) three stages behind a journal (ferrite bench's ASYNC/SYNC 3-stage scenarios)
            case "ferrite-async-fused" -> new FerritePipe(Durability.ASYNC, 3, StageThreading.FUSED, false, journal);
            case "ferrite-sync-fused" -> new FerritePipe(Durability.SYNC, 3, StageThreading.FUSED, false, journal);
            default -> throw new IllegalArgumentException("no pipe called '" + name + "'");
        };
    }
}
