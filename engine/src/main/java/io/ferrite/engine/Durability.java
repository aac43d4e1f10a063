package io.ferrite.engine;

/**
 * What a successful publish promises (PROTOCOL.md, "Durability modes").
 *
 * <p>Thread-safety: immutable.
 */
public enum Durability {
    /** Appended to the memory-mapped journal: survives a crash or kill -9 of the process. */
    ASYNC,
    /** Flushed to disk (msync) up to the event, in groups: also survives power loss. */
    SYNC,
    /** Queued to the stages in an off-heap ring; no journal: survives nothing. */
    MEMORY
}
