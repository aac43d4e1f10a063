package io.ferrite.bench.suite;

import io.ferrite.cli.profile.ProfileEvent;

/**
 * What profiling one scenario's measured trials produced: the event asked for, the event actually
 * sampled, and where the flamegraph and collapsed stacks went — or, when profiling failed, why.
 *
 * <p>Thread-safety: immutable.
 *
 * @param requested  the event asked for with {@code --profile}
 * @param sampled    the event async-profiler sampled ({@code itimer} when perf events were refused), or null on failure
 * @param note       why {@code sampled} differs from {@code requested}, or why there is no profile; null when neither
 * @param flamegraph the HTML flamegraph, relative to the run's {@code --out} folder (with '/'), or null on failure
 * @param collapsed  the collapsed stacks, relative the same way, or null on failure
 * @param samples    samples collected
 */
public record ProfileRecord(ProfileEvent requested, String sampled, String note, String flamegraph, String collapsed,
                            long samples) {

    /** A scenario whose profile could not be taken or written; its measurements still count. */
    static ProfileRecord failed(ProfileEvent requested, String reason) {
        return new ProfileRecord(requested, null, "not profiled: " + reason, null, null, 0);
    }

    public boolean written() {
        return flamegraph != null;
    }
}
