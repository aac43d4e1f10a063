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
import io.ferrite.engine.metrics.CountersPublisher;
import io.ferrite.engine.metrics.MetricRegistry;
import io.ferrite.engine.metrics.StageMetrics;
import io.ferrite.engine.metrics.jfr.DedupRestoreEvent;
import io.ferrite.engine.sequencer.Sequencer;
import io.ferrite.engine.stage.StageAgent;
import io.ferrite.engine.state.CheckpointStore;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens and wires an engine: journal, state, stages, threads. Everything opened so far is closed
 * again if a later step fails. Directory layout under the journal directory:
 * <pre>
 *   events/        the Chronicle Queue journal
 *   state/         checkpoints.dat (Chronicle Map) and its clean-close marker
 *   dead-letter/   events whose handler threw (Chronicle Queue)
 * </pre>
 *
 * <p>Thread-safety: used once, on the thread that builds the engine.
 */
final class EngineAssembly {
    private static final Logger LOG = LoggerFactory.getLogger(EngineAssembly.class);
    /** Retention runs at most this often. */
    private static final long RETENTION_PERIOD_NANOS = 10_000_000_000L;
    /** The counters file's room: the engine's ~20 + 5 per stage, the server's ~20. */
    private static final int MAX_COUNTERS = 1024;
    /** How far behind the process the counters file may be. */
    private static final Duration COUNTERS_INTERVAL = Duration.ofMillis(100);

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
                config.durability() == Durability.SYNC, config.retainCycles(), config.maxPayloadLength(),
                config.minFreeDiskBytes()));
            journal = chronicle;
        } else {
            journal = new MemoryJournal(config.memoryRingBytes());
        }
        resources.add(journal);
        long endAtOpen = journal.nextIndex();

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

        // Each stage resumes just after its checkpoint; a stage without one starts at the journal's start.
        List<EngineConfig.StageSpec> specs = config.stages();
        CheckpointStore.Slot[] slots = new CheckpointStore.Slot[specs.size()];
        long[] starts = new long[specs.size()];
        long journalStart = chronicle == null ? endAtOpen : chronicle.startOfJournal();
        for (int k = 0; k < specs.size(); k++) {
            if (checkpoints != null) {
                slots[k] = checkpoints.slot(specs.get(k).name());
                long last = slots[k].get();
                starts[k] = last == CheckpointStore.NONE ? journalStart : last + 1;
            } else {
                starts[k] = endAtOpen;
            }
        }
        long backlog = endAtOpen - java.util.Arrays.stream(starts).min().orElse(endAtOpen);
        if (backlog > 0) {
            LOG.info("replaying: stages resume from their checkpoints with up to {} journaled events to handle", backlog);
        }

        List<StageAgent> stages = new ArrayList<>(specs.size());
        StageAgent upstream = null;
        for (int k = 0; k < specs.size(); k++) {
            EngineConfig.StageSpec spec = specs.get(k);
            JournalReader reader = journal.newReader(k == specs.size() - 1);
            StageAgent stage = new StageAgent(spec.name(), spec.handler(), reader, upstream,
                new StageMetrics(spec.name()), config.errorHandler(), deadLetters, slots[k], starts[k],
                config.checkpointEvery(), config.batchSize(), endAtOpen - 1);
            stages.add(stage);
            upstream = stage;
        }
        StageAgent lastStage = stages.getLast();

        DedupWindow dedup = null;
        if (config.dedupMaxEntries() > 0) {
            dedup = new DedupWindow(config.dedupMaxEntries(), config.dedupMaxAge().toNanos(), Sequencer.MAX_BATCH_EVENTS);
            resources.add(dedup);
            if (chronicle != null) {
                restore(dedup, chronicle); // before any publish can be admitted
            }
        }
        Sequencer sequencer = new Sequencer(journal, dedup, lastStage::processed, config.capacity(),
            config.maxPayloadLength());

        List<Agent> housekeeping = new ArrayList<>();
        GroupCommitter groupCommitter = null;
        if (config.durability() == Durability.SYNC) {
            groupCommitter = new GroupCommitter(chronicle, sequencer::appended, config.syncMaxBatch(),
                config.syncMaxDelay().toNanos());
            housekeeping.add(groupCommitter);
        }
        if (chronicle != null && config.retainCycles() > 0) {
            CheckpointStore.Slot[] needed = slots;
            long start = journalStart;
            housekeeping.add(retentionAgent(new JournalRetention(chronicle, config.retainCycles(),
                () -> oldestNeeded(needed, start))));
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
            // or YIELD chosen for the stages, a spinning housekeeper would be one more busy thread
            // competing for a small machine's cores.
            IdleKind idle = groupCommitter != null ? config.idle() : IdleKind.BACKOFF;
            housekeepingRunner = startRunner(config, idle, agent,
                new PinningThreadFactory(layout, CpuLayout.JOURNAL, true));
        }
        MetricRegistry metrics = EngineMetricSources.register(sequencer, stages, dedup, groupCommitter, chronicle);
        if (root != null && config.countersFile()) {
            resources.add(CountersPublisher.start(metrics, root, MAX_COUNTERS, COUNTERS_INTERVAL));
        }
        LOG.info("engine started: durability={} stages={} threading={} journal={} next index={}", config.durability(),
            specs.stream().map(EngineConfig.StageSpec::name).toList(), config.threading(), root, endAtOpen);
        return new Engine(config, new EngineParts(journal, sequencer, groupCommitter, deadLetters, stages, stageRunners,
            housekeepingRunner, List.copyOf(resources), metrics));
    }

    /**
     * Refills the dedup window from the journal's newest records, newest first, until the window is
     * full or the records are older than its max age: a retry of an event the previous process
     * journaled (and maybe never acknowledged) is then recognised from the first publish on.
     */
    private static void restore(DedupWindow dedup, ChronicleJournal journal) {
        DedupRestoreEvent event = new DedupRestoreEvent();
        event.begin();
        long startNanos = System.nanoTime();
        long epochNow = EpochClock.epochNanos(startNanos);
        long[] restored = new long[1];
        long read = journal.visitIdsNewestFirst(dedup.maxEntries(), (eventId, index, journaledAt) -> {
            if (eventId == 0) {
                return true;
            }
            restored[0]++;
            return dedup.restoreOlder(eventId, index, epochNow - journaledAt);
        });
        event.recordsRead = read;
        event.idsRestored = restored[0];
        event.commit();
        if (read > 0) {
            LOG.info("dedup window: {} eventIds restored from the newest {} journaled events in {} ms", dedup.size(),
                read, (System.nanoTime() - startNanos) / 1_000_000);
        }
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

    /** The oldest index a stage still needs: just after the lowest checkpoint (a stage without one needs the start). */
    private static long oldestNeeded(CheckpointStore.Slot[] slots, long journalStart) {
        long oldest = Long.MAX_VALUE;
        for (CheckpointStore.Slot slot : slots) {
            long last = slot.get();
            oldest = Math.min(oldest, last == CheckpointStore.NONE ? journalStart : last + 1);
        }
        return oldest;
    }

    private static void createDirectories(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create journal directory " + directory + ": " + e.getMessage(), e);
        }
    }

    /** What {@link Engine} is made of. */
    record EngineParts(Journal journal, Sequencer sequencer, GroupCommitter groupCommitter, DeadLetterJournal deadLetters,
                       List<StageAgent> stages, List<AgentRunner> stageRunners, AgentRunner housekeepingRunner,
                       List<AutoCloseable> resources, MetricRegistry metrics) {
    }
}
