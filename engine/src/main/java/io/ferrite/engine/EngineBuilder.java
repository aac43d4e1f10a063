package io.ferrite.engine;

import io.ferrite.affinity.CpuLayout;
import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.JournalConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Builds an {@link Engine}. Defaults suit a 2-core machine: ASYNC durability, stages fused on one
 * thread, backoff idling, {@code auto} CPU layout.
 *
 * <pre>{@code
 * try (Engine engine = Engine.builder()
 *         .journal(Path.of("data/journal"))
 *         .stage("count", (event, index, endOfBatch) -> counter++)
 *         .build()) {
 *     long index = engine.publish(1, key, eventId, 0, payload, 0, payload.byteSize());
 * }
 * }</pre>
 *
 * <p>Thread-safety: not thread-safe; build on one thread.
 */
public final class EngineBuilder {
    private LongSupplier ackGate;
    private Path journalDirectory;
    private Durability durability = Durability.ASYNC;
    private final List<EngineConfig.StageSpec> stages = new ArrayList<>();
    private StageThreading threading = StageThreading.FUSED;
    private CpuLayout cpuLayout;
    private IdleKind idle = IdleKind.BACKOFF;
    private int capacity = 65_536;
    private int memoryRingBytes = 64 << 20;
    /** The largest payload of an FWP/1 frame of the default maxFrameLength (1 MiB - kind, flags, EVENT header). */
    private static final int DEFAULT_MAX_PAYLOAD_LENGTH = (1 << 20) - 4 - 40;
    private int maxPayloadLength = -1;
    private int defaultMaxPayloadLength = DEFAULT_MAX_PAYLOAD_LENGTH;
    private int batchSize = 256;
    private int checkpointEvery = 1_000;
    private int dedupMaxEntries = 1 << 20;
    private Duration dedupMaxAge = Duration.ofMinutes(10);
    private String rollCycle = "FAST_DAILY";
    private int retainCycles;
    private long minFreeDiskBytes = JournalConfig.DEFAULT_MIN_FREE_BYTES;
    private int syncMaxBatch = 256;
    private Duration syncMaxDelay = Duration.ofMillis(1);
    private Duration closeTimeout = Duration.ofSeconds(10);
    private ErrorHandler errorHandler;
    private final List<AutoCloseable> closeWith = new ArrayList<>();
    private boolean countersFile = true;

    EngineBuilder() {
    }

    public EngineBuilder journal(Path directory) {
        this.journalDirectory = directory;
        return this;
    }

    public EngineBuilder durability(Durability durability) {
        this.durability = durability;
        return this;
    }

    /** Adds a stage after those added so far. */
    public EngineBuilder stage(String name, EventHandler handler) {
        stages.add(new EngineConfig.StageSpec(name, handler));
        return this;
    }

    public EngineBuilder threading(StageThreading threading) {
        this.threading = threading;
        return this;
    }

    /** Which cores the journal and stage roles get (default {@link CpuLayout#auto()}). */
    public EngineBuilder cpuLayout(CpuLayout layout) {
        this.cpuLayout = layout;
        return this;
    }

    public EngineBuilder idle(IdleKind idle) {
        this.idle = idle;
        return this;
    }

    /** Most events in flight (published, not yet handled by the last stage). */
    public EngineBuilder capacity(int events) {
        this.capacity = events;
        return this;
    }

    /** MEMORY durability's off-heap ring size in bytes (a power of two). */
    public EngineBuilder memoryRingBytes(int bytes) {
        this.memoryRingBytes = bytes;
        return this;
    }

    /** The largest payload an event may carry; larger ones are REJECTED. */
    public EngineBuilder maxPayloadLength(int bytes) {
        if (bytes == -1) {
            throw new IllegalArgumentException("maxPayloadLength must be positive, was -1");
        }
        this.maxPayloadLength = bytes;
        return this;
    }

    /**
     * The payload limit used when {@link #maxPayloadLength} was not set (default: what a 1 MiB
     * FWP/1 frame carries). The node composing a server sets it from the server's frame limit.
     */
    public EngineBuilder defaultMaxPayloadLength(int bytes) {
        this.defaultMaxPayloadLength = bytes;
        return this;
    }

    public EngineBuilder batchSize(int events) {
        this.batchSize = events;
        return this;
    }

    public EngineBuilder checkpointEvery(int events) {
        this.checkpointEvery = events;
        return this;
    }

    /** The dedup window: at most {@code maxEntries} eventIds, each kept about {@code maxAge}; 0 entries disables dedup. */
    public EngineBuilder dedupWindow(int maxEntries, Duration maxAge) {
        this.dedupMaxEntries = maxEntries;
        this.dedupMaxAge = maxAge;
        return this;
    }

    /** Chronicle roll cycle name, e.g. FAST_DAILY (default) or FAST_HOURLY. */
    public EngineBuilder rollCycle(String name) {
        this.rollCycle = name;
        return this;
    }

    /** Keep this many newest journal cycles (0 = all). */
    public EngineBuilder retainCycles(int cycles) {
        this.retainCycles = cycles;
        return this;
    }

    /**
     * The journal's reserve: while its file system has less usable space than this, new events
     * are refused with JOURNAL_UNAVAILABLE (checked every 10 ms; taken again at 1.25× the reserve),
     * so that a write does not reach a page the disk cannot hold. Default 64 MiB; 0 turns the check off.
     */
    public EngineBuilder minFreeDisk(long bytes) {
        this.minFreeDiskBytes = bytes;
        return this;
    }

    /** SYNC group commit bounds: msync when this many appends wait, or the oldest waited this long. */
    public EngineBuilder groupCommit(int maxBatch, Duration maxDelay) {
        this.syncMaxBatch = maxBatch;
        this.syncMaxDelay = maxDelay;
        return this;
    }

    public EngineBuilder closeTimeout(Duration timeout) {
        this.closeTimeout = timeout;
        return this;
    }

    public EngineBuilder errorHandler(ErrorHandler handler) {
        this.errorHandler = handler;
        return this;
    }

    /**
     * Something the engine closes when it closes, after its stages stopped and before its journal
     * closes: whatever the handlers write to. Resources close in the reverse order of these calls.
     */
    /**
     * Whether to mirror the engine's metrics into {@code counters.dat} in the journal directory every
     * 100 ms, where {@code ferrite stat} reads them from outside (default: on, when there is a journal
     * directory). Off only to measure what it costs.
     */
    public EngineBuilder countersFile(boolean enabled) {
        this.countersFile = enabled;
        return this;
    }

    /**
     * A further condition on {@link Engine#durableGate()}: every event with an index below
     * {@code gate.getAsLong()} (acquire) may be acknowledged. A stage that forwards events to another
     * system passes what that system has acknowledged, so a server ACKs only what both hold. Default: none.
     */
    public EngineBuilder ackGate(LongSupplier gate) {
        this.ackGate = Objects.requireNonNull(gate, "gate");
        return this;
    }

    public EngineBuilder closeWith(AutoCloseable resource) {
        closeWith.add(Objects.requireNonNull(resource, "resource"));
        return this;
    }

    /** Validates the settings; every problem is named with what to fix. */
    public EngineConfig config() {
        List<String> problems = new ArrayList<>();
        if (durability != Durability.MEMORY && journalDirectory == null) {
            problems.add("journal directory is required for " + durability + " durability: call journal(Path)");
        }
        if (stages.isEmpty()) {
            problems.add("no stages: add at least one with stage(name, handler)");
        }
        if (stages.stream().map(EngineConfig.StageSpec::name).distinct().count() != stages.size()) {
            problems.add("stage names must be unique: " + stages.stream().map(EngineConfig.StageSpec::name).toList());
        }
        positive(problems, "capacity", capacity);
        positive(problems, "batchSize", batchSize);
        positive(problems, "checkpointEvery", checkpointEvery);
        int payloadLimit = maxPayloadLength != -1 ? maxPayloadLength : defaultMaxPayloadLength;
        positive(problems, "maxPayloadLength", payloadLimit);
        positive(problems, "syncMaxBatch", syncMaxBatch);
        if (Integer.bitCount(memoryRingBytes) != 1 || memoryRingBytes < 4096) {
            problems.add("memoryRingBytes must be a power of two of at least 4096, was " + memoryRingBytes);
        }
        if (dedupMaxEntries < 0) {
            problems.add("dedup max entries must be >= 0 (0 disables dedup), was " + dedupMaxEntries);
        }
        if (dedupMaxAge.isNegative() || dedupMaxAge.isZero()) {
            problems.add("dedup max age must be positive, was " + dedupMaxAge);
        }
        if (retainCycles < 0) {
            problems.add("retainCycles must be >= 0 (0 keeps everything), was " + retainCycles);
        }
        if (minFreeDiskBytes < 0) {
            problems.add("minFreeDisk must be >= 0 bytes (0 turns the check off), was " + minFreeDiskBytes);
        }
        if (durability != Durability.MEMORY) {
            try {
                ChronicleJournal.rollCycle(rollCycle);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (syncMaxDelay.isNegative()) {
            problems.add("syncMaxDelay (group commit's longest wait; 0 = commit at once) must be >= 0, was "
                + syncMaxDelay);
        }
        if (closeTimeout.isNegative()) {
            problems.add("closeTimeout must be >= 0, was " + closeTimeout);
        }
        CpuLayout layout = cpuLayout != null ? cpuLayout : CpuLayout.auto();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid engine configuration:\n  - " + String.join("\n  - ", problems));
        }
        return new EngineConfig(journalDirectory, durability, stages, threading, layout, idle, capacity,
            memoryRingBytes, payloadLimit, batchSize, checkpointEvery, dedupMaxEntries, dedupMaxAge, rollCycle,
            retainCycles, minFreeDiskBytes, syncMaxBatch, syncMaxDelay, closeTimeout,
            errorHandler != null ? errorHandler : new LoggingErrorHandler(), closeWith, countersFile);
    }

    /** Validates, opens the journal and state, replays, and starts the stage threads. */
    public Engine build() {
        Engine engine = Engine.start(config());
        if (ackGate != null) {
            engine.ackGate(ackGate);
        }
        return engine;
    }

    private static void positive(List<String> problems, String name, long value) {
        if (value <= 0) {
            problems.add(name + " must be positive, was " + value);
        }
    }
}
