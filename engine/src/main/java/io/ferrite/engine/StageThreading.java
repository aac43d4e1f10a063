package io.ferrite.engine;

/**
 * How stages are grouped onto threads: a configuration, not a code change.
 *
 * <p>Thread-safety: immutable.
 */
public enum StageThreading {
    /** Every stage runs on one thread, one duty cycle after another: best on small machines. */
    FUSED,
    /** One thread per stage: for machines with a core per stage. */
    SEPARATE
}
