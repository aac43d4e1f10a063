package io.ferrite.pipeline.completion;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a deferred handler's own agent on a daemon thread named after it (its role name), as the
 * lanes' worker and the action executor run.
 *
 * <p>Thread-safety: stateless.
 */
public final class OwnThread {
    private static final Logger LOG = LoggerFactory.getLogger(OwnThread.class);

    private OwnThread() {
    }

    /** Starts {@code agent}; close the runner to stop it (its {@code onClose} runs on its thread). */
    public static AgentRunner start(Agent agent, IdleStrategy idle) {
        AgentRunner runner = new AgentRunner(idle, error -> LOG.error("{} failed", agent.roleName(), error), null, agent);
        AgentRunner.startOnThread(runner, task -> {
            Thread thread = new Thread(task, agent.roleName());
            thread.setDaemon(true);
            return thread;
        });
        return runner;
    }
}
