package io.ferrite.cli.profile;

import java.nio.file.Path;

/**
 * What a finished profiling session wrote.
 *
 * @param requested  the event asked for
 * @param sampled    the event actually sampled ({@code itimer} when perf events were not permitted)
 * @param note       why {@code sampled} differs from {@code requested}, or null
 * @param flamegraph the HTML flamegraph
 * @param collapsed  the collapsed stacks (one line per stack: frames separated by ';', then a count)
 * @param samples    samples collected (0: the flamegraph is empty)
 */
public record ProfileResult(ProfileEvent requested, String sampled, String note, Path flamegraph, Path collapsed,
                            long samples) {

    /** One line for a console: what was written, and any fallback. */
    public String describe() {
        return "profile " + sampled + " (" + samples + " samples) written: " + flamegraph + " and " + collapsed
            + (note == null ? "" : "; " + note);
    }
}
