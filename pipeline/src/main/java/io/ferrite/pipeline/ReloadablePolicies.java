package io.ferrite.pipeline;

import io.ferrite.engine.AdmissionPolicy;
import io.ferrite.engine.auth.Identities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A pipeline file's policies that can be reloaded while the server runs ({@code SIGHUP}, or
 * {@code POST /pipeline/reload}): the file is read and compiled aside; only a good one replaces the
 * rules (with a fresh decision cache), between two events — none is dropped. A broken file leaves
 * the running rules in place, and the reload reports why. Stages and routes are fixed at start: a
 * file whose stages, or the tags and routes its policies give, changed is refused with a message
 * saying a restart applies them.
 *
 * <p>Thread-safety: {@link #decide} from every event loop; {@link #reload} from any thread (synchronized).
 */
public final class ReloadablePolicies implements AdmissionPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadablePolicies.class);
    private static final long MAX_DECISIONS = 10_000;
    private static final Duration DECISION_TTL = Duration.ofMinutes(5);

    private final Path file;
    private final Identities identities;
    private final Pipeline started;
    private final PolicyEngine.Stats stats = new PolicyEngine.Stats();
    private volatile PolicyEngine current;

    /** @param pipeline the pipeline the server started with, read from {@code file} */
    public ReloadablePolicies(Path file, Pipeline pipeline, Identities identities) {
        this.file = file;
        this.identities = identities;
        this.started = pipeline;
        this.current = PolicyEngine.compile(pipeline.policies(), identities, MAX_DECISIONS, DECISION_TTL, stats);
    }

    @Override
    public Decision decide(int principal, int type, long key, int priority, MemorySegment payload, long offset, int length) {
        return current.decide(principal, type, key, priority, payload, offset, length);
    }

    /**
     * Reads the file again and, when it is good, puts its policies in place.
     *
     * @return what happened, for a person
     * @throws PipelineException when the file is broken or its stages changed (the running rules stay)
     */
    public synchronized String reload() {
        Pipeline next;
        try {
            next = PipelineFile.read(file);
            if (!next.sameStages(started)) {
                throw new PipelineException(file + ": the stages or their routes changed; a reload changes policies"
                    + " only: restart the server to apply new stages");
            }
            PolicyEngine compiled = PolicyEngine.compile(next.policies(), identities, MAX_DECISIONS, DECISION_TTL, stats);
            if (!compiled.marks().equals(current.marks())) {
                throw new PipelineException(file + ": the tags or routed-to stages changed (" + compiled.marks().names()
                    + " against " + current.marks().names() + "); the stages read them as started: restart the server"
                    + " to apply them");
            }
            current = compiled;
        } catch (PipelineException e) {
            LOG.warn("pipeline reload refused, the running policies stay: {}", e.getMessage());
            throw e;
        }
        stats.reloaded();
        String done = "reloaded " + file + ": " + next.policies().size() + " policies, in this order: "
            + String.join(", ", current.order());
        LOG.info(done);
        return done;
    }

    public PolicyEngine.Stats stats() {
        return stats;
    }

    public PolicyEngine current() {
        return current;
    }
}
