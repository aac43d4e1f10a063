package io.ferrite.affinity;

import net.openhft.affinity.Affinity;
import net.openhft.affinity.impl.NullAffinity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes platform threads named {@code ferrite-<role>-<n>} ({@code n} from 0) that pin themselves
 * to their role's CPU in a {@link CpuLayout} when they start, run the task, and restore the
 * affinity they started with when the task returns or throws.
 *
 * <p>Pinning goes through OpenHFT Affinity ({@link Affinity#setAffinity(BitSet)}, i.e.
 * {@code sched_setaffinity(2)} for the calling thread) and is checked by reading the mask back.
 * Where the layout leaves the role unpinned, the platform has no affinity support, or the kernel
 * refuses, the thread runs unpinned; each distinct reason is logged once per factory (failures at
 * WARN, layout choices at INFO). Every thread's outcome is kept as a {@link PinResult}, in the
 * order the threads started, for tests and the startup plan; meant for a handful of long-lived
 * stage threads, it is never trimmed.
 *
 * <p>OpenHFT's {@code AffinityLock} is not used: its cross-process lock files and its default
 * reservation (every CPU but 0 unless {@code isolcpus} says otherwise) would second-guess a layout
 * that was already validated against the CPUs this process may use.
 *
 * <p>Thread-safety: safe to use from any thread; each made thread pins only itself.
 */
public final class PinningThreadFactory implements ThreadFactory {
    private static final Logger LOG = LoggerFactory.getLogger(PinningThreadFactory.class);

    private final CpuLayout layout;
    private final String role;
    private final boolean daemon;
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final Queue<PinResult> results = new ConcurrentLinkedQueue<>();
    private final Set<String> loggedReasons = ConcurrentHashMap.newKeySet();

    /** A factory of non-daemon threads for {@code role}. */
    public PinningThreadFactory(CpuLayout layout, String role) {
        this(layout, role, false);
    }

    /**
     * A factory of threads for {@code role}, daemon or not.
     *
     * @throws IllegalArgumentException when {@code role} is not {@code io}, {@code journal},
     *                                  {@code stages} or {@code stage-N}
     */
    public PinningThreadFactory(CpuLayout layout, String role, boolean daemon) {
        this.layout = Objects.requireNonNull(layout, "layout");
        this.role = Objects.requireNonNull(role, "role");
        this.daemon = daemon;
        layout.cpuFor(role); // rejects an unknown role now rather than in the new thread
    }

    /** Makes an unstarted thread that pins itself, then runs {@code task}. */
    @Override
    public Thread newThread(Runnable task) {
        Objects.requireNonNull(task, "task");
        String name = "ferrite-" + role + "-" + nextIndex.getAndIncrement();
        return Thread.ofPlatform()
            .name(name)
            .daemon(daemon)
            .unstarted(() -> runPinned(name, task));
    }

    /** The role this factory's threads are made for. */
    public String role() {
        return role;
    }

    /** The layout this factory applies. */
    public CpuLayout layout() {
        return layout;
    }

    /** The outcome for every thread that has started so far, in start order. */
    public List<PinResult> results() {
        return List.copyOf(results);
    }

    /** The outcome for the started thread named {@code threadName}; empty if none has started. */
    public Optional<PinResult> result(String threadName) {
        return results.stream().filter(r -> r.threadName().equals(threadName)).findFirst();
    }

    private void runPinned(String name, Runnable task) {
        OptionalInt cpu = layout.cpuFor(role);
        BitSet startingMask = null;
        PinResult result;
        if (cpu.isEmpty()) {
            result = PinResult.unpinned(name, role, layout.unpinnedReason(role));
            logOnce(false, result);
        } else {
            try {
                startingMask = Affinity.getAffinity();
                result = pin(name, cpu.getAsInt());
            } catch (RuntimeException | LinkageError e) {
                result = PinResult.unpinned(name, role, "setting affinity to CPU " + cpu.getAsInt() + " failed: " + e);
            }
            if (result.isPinned()) {
                LOG.info("{} pinned to CPU {} by cpu layout '{}'", name, cpu.getAsInt(), layout.spec());
            } else {
                if (startingMask != null) {
                    restore(name, startingMask);
                }
                logOnce(true, result);
            }
        }
        results.add(result);
        try {
            task.run();
        } finally {
            if (result.isPinned()) {
                restore(name, startingMask);
            }
        }
    }

    private PinResult pin(String name, int cpu) {
        if (Affinity.getAffinityImpl() instanceof NullAffinity) {
            return PinResult.unpinned(name, role, "OpenHFT Affinity has no affinity support on "
                + System.getProperty("os.name") + " (JNA missing or OS unsupported)");
        }
        BitSet wanted = new BitSet();
        wanted.set(cpu);
        Affinity.setAffinity(wanted);
        BitSet actual = Affinity.getAffinity();
        if (!actual.equals(wanted)) {
            return PinResult.unpinned(name, role, "asked for CPU " + cpu + " but the kernel kept CPUs " + actual);
        }
        return PinResult.pinned(name, role, cpu);
    }

    private void restore(String name, BitSet startingMask) {
        try {
            Affinity.setAffinity(startingMask);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("{} could not restore its starting affinity {}", name, startingMask, e);
        }
    }

    private void logOnce(boolean failure, PinResult result) {
        if (!loggedReasons.add(result.reason())) {
            LOG.debug("{} runs unpinned: {}", result.threadName(), result.reason());
        } else if (failure) {
            LOG.warn("{} could not be pinned and runs unpinned: {} (later {} threads failing alike log at DEBUG)",
                result.threadName(), result.reason(), role);
        } else {
            LOG.info("{} runs unpinned: {}", result.threadName(), result.reason());
        }
    }

    @Override
    public String toString() {
        return "PinningThreadFactory[" + role + ", " + layout + (daemon ? ", daemon]" : "]");
    }
}
