package io.ferrite.engine;

import io.ferrite.affinity.CpuLayout;
import io.ferrite.affinity.PinningThreadFactory;
import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.DeadLetterJournal;
import io.ferrite.engine.journal.GroupCommitter;
import io.ferrite.engine.journal.Journal;
import io.ferrite.engine.journal.JournalConfig;
import io.ferrite.engine.journal.JournalReader;
import io.ferrite.engine.journal.JournalRetention;
import io.ferrite.engine.journal.MemoryJournal;
import io.ferrite.engine.metrics.StageMetrics;
import io.ferrite.engine.stage.StageAgent;
import io.ferrite.engine.state.CheckpointStore;
import io.ferrite.engine.state.DedupJanitor;
import io.ferrite.engine.state.DedupWindow;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Opens and wires an engine: journal, state, stages, threads. Everything opened so far is closed
 * again if a later step fails. Directory layout under the journal directory:
 * <pre>
 *   events/        the Chronicle Queue journal
 *   state/         checkpoints.dat, dedup.dat (Chronicle Map) and their clean-close markers
 *   dead-letter/   events whose handler threw (Chronicle Queue)
 * </pre>
 *
 * <p>Thread-safety: used once, on the thread that builds the engine.
 */
final class EngineAssembly {
    private static final Logger LOG = LoggerFactory.getLogger(EngineAssembly.class);
    /** Retention runs at most this often. */
    private static final long RETENTION_PERIOD_NANOS = 10_000_000_000L;

    private EngineAssembly() {
    }

    /** The events sub-directory of a journal directory: what {@code ferrite replay} reads. */
    static Path eventsDirectory(Path journalDirectory) {
        return journalDirectory.resolve("events");
    }

    static Engine start(EngineConfig config) {
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            return assemble(config, resources);
        } catch (RuntimeException | Error e) {
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static Engine assemble(EngineConfig config, List<AutoCloseable> resources) {
        boolean persistent = config.durability() != Durability.MEMORY;
        Path root = config.journalDirectory();
        if (root != null) {
            createDirectories(root);
        }

        Journal journal;
        ChronicleJournal chronicle = null;
        if (persistent) {
            chronicle = ChronicleJournal.open(new JournalConfig(eventsDirectory(root), config.rollCycle(),
                config.durability() == Durability.SYNC, config.retainCycles(), config.maxPayloadLength()));
            journal = chronicle;
        } else {
            journal = new MemoryJournal(config.memoryRingBytes());
        }
        resources.add(journal);
        long lastIndexAtOpen = chronicle == null ? -1 : chronicle.lastIndex();

        CheckpointStore checkpoints = null;
        if (persistent) {
            checkpoints = CheckpointStore.open(root.resolve("state").resolve("checkpoints.dat"));
            resources.add(checkpoints);
        }
        DeadLetterJournal deadLetters = null;
        if (root != null) {
            deadLetters = DeadLetterJournal.open(root.resolve("dead-letter"));
            resources.add(deadLetters);
        }

        // Backlogs after a restart: appended - processed(k) must equal stage k's backlog.
        List<EngineConfig.StageSpec> specs = config.stages();
        CheckpointStore.Slot[] slots = new CheckpointStore.Slot[specs.size()];
        long[] backlogs = new long[specs.size()];
        long maxBacklog = 0;
        for (int k = 0; k < specs.size(); k++) {
            if (checkpoints != null) {
                slots[k] = checkpoints.slot(specs.get(k).name());
                backlogs[k] = chronicle.countAfter(slots[k].get());
                maxBacklog = Math.max(maxBacklog, backlogs[k]);
            }
        }
        AtomicLong appended = new AtomicLong(maxBacklog);
        if (maxBacklog > 0) {
            LOG.info("replaying: stages resume from their checkpoints with up to {} journaled events to handle", maxBacklog);
        }

        List<StageAgent> stages = new ArrayList<>(specs.size());
        JournalReader upstream = null;
        LongSupplier upstreamCount = appended::get;
        for (int k = 0; k < specs.size(); k++) {
            EngineConfig.StageSpec spec = specs.get(k);
            JournalReader reader = journal.newReader(k == specs.size() - 1);
            StageAgent stage = new StageAgent(spec.name(), spec.handler(), reader, upstream, upstreamCount,
                maxBacklog - backlogs[k], new StageMetrics(spec.name()), config.errorHandler(), deadLetters, slots[k],
                config.checkpointEvery(), config.batchSize(), lastIndexAtOpen);
            stages.add(stage);
            upstream = reader;
            upstreamCount = stage::processed;
        }

        List<Agent> housekeeping = new ArrayList<>();
        DedupWindow dedup = null;
        CheckpointStore.Slot janitorSlot = null;
        if (config.dedupMaxEntries() > 0) {
            dedup = persistent
                ? DedupWindow.open(root.resolve("state").resolve("dedup.dat"), config.dedupMaxEntries() + (long) config.capacity())
                : DedupWindow.inMemory(config.dedupMaxEntries() + (long) config.capacity());
            resources.add(dedup);
            JournalReader janitorReader = journal.newReader(false);
            if (journal instanceof MemoryJournal memory) {
                memory.addReleaseGate(janitorReader);
            }
            janitorSlot = checkpoints == null ? null : checkpoints.slot(DedupJanitor.CHECKPOINT_NAME);
            DedupJanitor janitor = new DedupJanitor(dedup, janitorReader, janitorSlot, config.dedupMaxEntries(),
                config.dedupMaxAge().toNanos(), lastIndexAtOpen);
            long restored = janitor.restoreHistory(); // before any publish can be admitted
            if (restored > 0) {
                LOG.info("dedup window: re-read {} journaled records to restore their ids", restored);
            }
            housekeeping.add(janitor);
        }
        GroupCommitter groupCommitter = null;
        if (config.durability() == Durability.SYNC) {
            groupCommitter = new GroupCommitter(chronicle, appended, config.syncMaxBatch(), config.syncMaxDelay().toNanos());
            housekeeping.add(groupCommitter);
        }
        if (chronicle != null && config.retainCycles() > 0) {
            CheckpointStore.Slot[] needed = janitorSlot == null ? slots : append(slots, janitorSlot);
            housekeeping.add(retentionAgent(new JournalRetention(chronicle, config.retainCycles(), () -> oldest(needed))));
        }

        resources.addAll(config.closeWith()); // closed before the journal and state, after the stages
        CpuLayout layout = config.cpuLayout();
        List<AgentRunner> stageRunners = new ArrayList<>();
        if (config.threading() == StageThreading.FUSED || stages.size() == 1) {
            Agent agent = stages.size() == 1 ? stages.getFirst() : new CompositeAgent(stages);
            stageRunners.add(startRunner(config, agent, new PinningThreadFactory(layout, CpuLayout.STAGES, true)));
        } else {
            for (int k = 0; k < stages.size(); k++) {
                stageRunners.add(startRunner(config, stages.get(k),
                    new PinningThreadFactory(layout, CpuLayout.stage(k), true)));
            }
        }
        AgentRunner housekeepingRunner = null;
        if (!housekeeping.isEmpty()) {
            Agent agent = housekeeping.size() == 1 ? housekeeping.getFirst() : new CompositeAgent(housekeeping);
            // Backoff unless it runs the group commit (whose waits SYNC publishers feel): with SPIN
            // or YIELD chosen for the stages, a spinning janitor would be one more busy thread
            // competing for a small machine's cores.
            IdleKind idle = groupCommitter != null ? config.idle() : IdleKind.BACKOFF;
            housekeepingRunner = startRunner(config, idle, agent,
                new PinningThreadFactory(layout, CpuLayout.JOURNAL, true));
        }
        LOG.info("engine started: durability={} stages={} threading={} journal={}", config.durability(),
            specs.stream().map(EngineConfig.StageSpec::name).toList(), config.threading(), root);
        return new Engine(config, new EngineParts(journal, dedup, groupCommitter, deadLetters, stages, stageRunners,
            housekeepingRunner, List.copyOf(resources), appended));
    }

    private static AgentRunner startRunner(EngineConfig config, Agent agent, PinningThreadFactory threads) {
        return startRunner(config, config.idle(), agent, threads);
    }

    private static AgentRunner startRunner(EngineConfig config, IdleKind idle, Agent agent,
                                           PinningThreadFactory threads) {
        AgentRunner runner = new AgentRunner(idle.newStrategy(),
            error -> config.errorHandler().onError(agent.roleName(), -1, error), null, agent);
        AgentRunner.startOnThread(runner, threads);
        return runner;
    }

    private static Agent retentionAgent(JournalRetention retention) {
        return new Agent() {
            private long nextRun = System.nanoTime();

            @Override
            public int doWork() {
                long now = System.nanoTime();
                if (now - nextRun < 0) {
                    return 0;
                }
                nextRun = now + RETENTION_PERIOD_NANOS;
                return retention.run();
            }

            @Override
            public String roleName() {
                return "journal-retention";
            }
        };
    }

    private static long oldest(CheckpointStore.Slot[] slots) {
        long oldest = Long.MAX_VALUE;
        for (CheckpointStore.Slot slot : slots) {
            oldest = Math.min(oldest, slot.get());
        }
        return oldest;
    }

    private static CheckpointStore.Slot[] append(CheckpointStore.Slot[] slots, CheckpointStore.Slot extra) {
        CheckpointStore.Slot[] all = java.util.Arrays.copyOf(slots, slots.length + 1);
        all[slots.length] = extra;
        return all;
    }

    private static void createDirectories(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create journal directory " + directory + ": " + e.getMessage(), e);
        }
    }

    /** What {@link Engine} is made of. */
    record EngineParts(Journal journal, DedupWindow dedup, GroupCommitter groupCommitter, DeadLetterJournal deadLetters,
                       List<StageAgent> stages, List<AgentRunner> stageRunners, AgentRunner housekeepingRunner,
                       List<AutoCloseable> resources, AtomicLong appended) {
    }
}
