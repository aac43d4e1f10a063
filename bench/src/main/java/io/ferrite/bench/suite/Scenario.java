package io.ferrite.bench.suite;

import java.time.Duration;
import java.util.List;

/**
 * One thing {@code ferrite bench} measures: opened once, run once to warm up and then once per
 * trial, closed. Each run reports what it did as a {@link TrialResult}; the runner adds the
 * allocation figure around it.
 *
 * <p>Thread-safety: all methods from the runner's thread, in the order open, run..., close;
 * a scenario may start threads of its own inside {@link #run} and must stop them before it returns.
 */
public interface Scenario extends AutoCloseable {
    /** Unique, dotted, stable across runs (baselines match on it), e.g. {@code tcp.max.epoll.async.c1}. */
    String name();

    /** The family, for grouping in the report: {@code embedded}, {@code tcp-max}, {@code tcp-rate}, {@code peer}. */
    String group();

    /** One line saying what is measured. */
    String description();

    /** The number baselines compare. */
    Metric metric();

    /** Names of the scenarios this one is reported as a ratio to (same metric), best first. */
    List<String> peers();

    /** Why this scenario cannot run here (e.g. the transport is unavailable), or null when it can. */
    default String unavailableReason() {
        return null;
    }

    /** Control path: servers, journals, threads. */
    void open() throws Exception;

    /**
     * Runs for about {@code duration} and reports it.
     *
     * @param sample how often to sample progress for the throughput-over-time series
     */
    TrialResult run(Duration duration, Duration sample) throws Exception;

    @Override
    void close() throws Exception;
}
