package io.ferrite.pipeline;

import io.ferrite.engine.EventMarks;

import java.util.ArrayList;
import java.util.List;

/**
 * The pipeline's names for the 16 tag bits of {@link EventMarks}: each tag its policies give, then
 * each stage they route to, in the order they first appear. The policies write these bits at
 * ingest; the stages' routes read them.
 *
 * <p>Thread-safety: immutable.
 *
 * @param names the bit names in order: a tag's name, or {@code ->STAGE} for "routed to STAGE"
 */
public record Marks(List<String> names) {
    private static final String ROUTED = "->";

    public Marks {
        names = List.copyOf(names);
    }

    /**
     * The bits {@code policies} need.
     *
     * @throws PipelineException naming the rule that needs a 17th bit
     */
    public static Marks of(List<PolicySpec> policies) {
        List<String> names = new ArrayList<>();
        for (PolicySpec policy : policies) {
            List<String> needed = new ArrayList<>(policy.tags());
            if (policy.routeTo() != null) {
                needed.add(ROUTED + policy.routeTo());
            }
            for (String name : needed) {
                if (!names.contains(name)) {
                    names.add(name);
                }
            }
            if (names.size() > EventMarks.MAX_TAGS) {
                throw new PipelineException(policy.where() + ": policy " + policy.name() + ": more than "
                    + EventMarks.MAX_TAGS + " tags and routed-to stages in one pipeline (" + String.join(", ", names) + ")");
            }
        }
        return new Marks(names);
    }

    /** The marks a rule journals an event with. */
    public int of(PolicySpec policy) {
        return switch (policy.outcome()) {
            case DROP -> EventMarks.of(EventMarks.DROP, 0);
            case MARK -> EventMarks.of(0, tagBits(policy.tags()) | routeBit(policy.routeTo()));
            case ALLOW, DENY -> EventMarks.NONE;
        };
    }

    /** The bits of {@code tags}, each of which must be one of the pipeline's. */
    public int tagBits(List<String> tags) {
        int bits = 0;
        for (String tag : tags) {
            int bit = names.indexOf(tag);
            if (bit < 0) {
                throw new IllegalArgumentException("no policy gives the tag '" + tag + "'");
            }
            bits |= 1 << bit;
        }
        return bits;
    }

    /** The bit that routes events to {@code stage}, or 0 when no policy does. */
    public int routeBit(String stage) {
        int bit = stage == null ? -1 : names.indexOf(ROUTED + stage);
        return bit < 0 ? 0 : 1 << bit;
    }

    /** The tags (not the routes), for messages. */
    public List<String> tags() {
        return names.stream().filter(name -> !name.startsWith(ROUTED)).toList();
    }
}
