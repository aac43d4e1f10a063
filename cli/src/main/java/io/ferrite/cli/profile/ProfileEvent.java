package io.ferrite.cli.profile;

import java.util.Locale;

/**
 * What a profiling session samples: on-CPU time, heap allocation, wall-clock time (threads
 * running or not), or lock contention. The names are async-profiler's event names.
 */
public enum ProfileEvent {
    CPU("cpu", "interval=1ms"),
    ALLOC("alloc", "alloc=512k"),
    WALL("wall", "interval=5ms"),
    LOCK("lock", "lock=10us");

    private final String eventName;
    private final String samplingOption;

    ProfileEvent(String eventName, String samplingOption) {
        this.eventName = eventName;
        this.samplingOption = samplingOption;
    }

    /** async-profiler's name for the event, also used in file names. */
    public String eventName() {
        return eventName;
    }

    /** The sampling option passed with it (interval or threshold). */
    String samplingOption() {
        return samplingOption;
    }

    /** Parses {@code cpu | alloc | wall | lock} (any case). */
    public static ProfileEvent parse(String text) {
        for (ProfileEvent event : values()) {
            if (event.eventName.equalsIgnoreCase(text.trim())) {
                return event;
            }
        }
        throw new IllegalArgumentException("profile event '" + text + "' is not one of cpu, alloc, wall, lock");
    }

    @Override
    public String toString() {
        return eventName.toLowerCase(Locale.ROOT);
    }
}
