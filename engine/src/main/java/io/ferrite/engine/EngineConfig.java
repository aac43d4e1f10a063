package io.ferrite.engine;

import io.ferrite.affinity.CpuLayout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything an {@link Engine} is built from; made by {@link EngineBuilder}, which validates it.
 *
 * @param journalDirectory  the journal, state maps and dead letters live here (ASYNC/SYNC; MEMORY
 *                          uses it only for dead letters)
 * @param durability        what a successful publish promises
 * @param stages            user stages, in order: stage k sees an event after stage k-1 is done with it
 * @param threading         fused on one thread, or one thread per stage
 * @param cpuLayout         which cores the roles {@code journal} and {@code stages}/{@code stage-N} get
 * @param idle              what idle threads do
 * @param capacity          most events published but not yet handled by the last stage; beyond it
 *                          publish answers BACK_PRESSURED
 * @param memoryRingBytes   MEMORY durability's ring size (a power of two)
 * @param maxPayloadLength  largest payload accepted
 * @param batchSize         most events a stage handles per duty cycle
 * @param checkpointEvery   a stage stores its checkpoint every this many events (and on close)
 * @param dedupMaxEntries   the dedup window holds at most this many eventIds (0 disables dedup)
 * @param dedupMaxAge       and each for at least, and about, this long
 * @param rollCycle         the journal's Chronicle roll cycle name
 * @param retainCycles      journal cycles to keep (0 = keep all); a checkpoint still needing one keeps it
 * @param minFreeDiskBytes  below this much usable space on the journal's file system, new events are
 *                          refused (JOURNAL_UNAVAILABLE) before a write into the mapped file can fault
 * @param syncMaxBatch      SYNC: msync once this many appends wait
 * @param syncMaxDelay      SYNC: or once the oldest waiting append has waited this long
 * @param closeTimeout      how long close waits for stages to drain
 * @param errorHandler      receives handler exceptions
 * @param closeWith         closed when the engine closes, after the stages stop, in reverse order
 * @param countersFile      mirror the metrics into {@code counters.dat} in the journal directory (for
 *                          {@code ferrite stat}); needs a journal directory
 */
public record EngineConfig(Path journalDirectory, Durability durability, List<StageSpec> stages,
                           StageThreading threading, CpuLayout cpuLayout, IdleKind idle, int capacity,
                           int memoryRingBytes, int maxPayloadLength, int batchSize, int checkpointEvery,
                           int dedupMaxEntries, Duration dedupMaxAge, String rollCycle, int retainCycles,
                           long minFreeDiskBytes, int syncMaxBatch, Duration syncMaxDelay, Duration closeTimeout,
                           ErrorHandler errorHandler, List<AutoCloseable> closeWith, boolean countersFile) {

    public EngineConfig {
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(threading, "threading");
        Objects.requireNonNull(cpuLayout, "cpuLayout");
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(errorHandler, "errorHandler");
        stages = List.copyOf(stages);
        closeWith = List.copyOf(closeWith);
        if (durability != Durability.MEMORY) {
            Objects.requireNonNull(journalDirectory, "journalDirectory is required for " + durability + " durability");
        }
    }

    /** One user stage: a name (used for its checkpoint and thread) and its handler. */
    public record StageSpec(String name, EventHandler handler) {
        public StageSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(handler, "handler");
        }
    }
}
