package io.ferrite.engine;

import io.ferrite.testing.Await;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;

/**
 * Test helper: runs {@link Engine#closeAndReport()} on its own thread, so that a test can act
 * while close is under way. {@link #awaitStopping} observes the one moment a test needs to stop a
 * stage exactly: close has told the stage's runner to stop (Agrona's {@code AgentRunner.close}
 * clears its running flag, then joins the runner thread) and is now waiting for that thread.
 *
 * <p>Thread-safety: use from the test thread.
 */
final class BackgroundClose {
    private final Thread thread;
    private volatile CloseReport report;
    private volatile Throwable failure;

    private BackgroundClose(Engine engine) {
        this.thread = Thread.ofPlatform().name("test-close").start(() -> {
            try {
                report = engine.closeAndReport();
            } catch (Throwable t) {
                failure = t;
            }
        });
    }

    static BackgroundClose start(Engine engine) {
        return new BackgroundClose(engine);
    }

    /**
     * Waits until close is joining {@code stageThread}: from then on that stage's runner runs no
     * further duty cycle once the current one returns. (Thread.join of a platform thread waits on
     * the thread's monitor, which the management API reports as the lock waited on.)
     */
    void awaitStopping(Thread stageThread, Duration timeout) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int target = System.identityHashCode(stageThread);
        String targetClass = stageThread.getClass().getName();
        Await.until("close is joining stage thread " + stageThread.getName(), timeout, () -> {
            ThreadInfo info = threads.getThreadInfo(thread.threadId());
            LockInfo lock = info == null ? null : info.getLockInfo();
            return lock != null && lock.getIdentityHashCode() == target && lock.getClassName().equals(targetClass);
        }, () -> "close thread: " + threads.getThreadInfo(thread.threadId(), 8));
    }

    /** The report, once close returned; fails if it does not within {@code timeout}. */
    CloseReport await(Duration timeout) throws InterruptedException {
        if (!thread.join(timeout)) {
            throw new AssertionError("close did not return within " + timeout);
        }
        if (failure != null) {
            throw new AssertionError("close failed", failure);
        }
        return report;
    }
}
