package io.ferrite.concurrent;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A long through which one thread publishes how far it got and others observe it: a reader's
 * position, a durable gate, an event count, a ring's head or tail. The value sits alone on its
 * cache lines (128 bytes of padding on each side, the spatial prefetcher's pair of lines), so a
 * writer updating it never slows the threads that read its neighbours. This is the one place in
 * Ferrite that pads; every hand-off uses this type instead of a VarHandle of its own.
 *
 * <p>Method names state the memory ordering (see the package documentation for the pairing).
 *
 * <p>Thread-safety: {@link #setRelease}, {@link #incrementRelease} and {@link #addRelease} by one
 * writer thread at a time; {@link #compareAndSet} by any number of threads (then every writer must
 * use it); the getters from any thread.
 */
public final class Progress extends ProgressFields {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(ProgressValue.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Starts at 0. */
    public Progress() {
    }

    /** Starts at {@code initial} (published by the constructing thread's later release or start of threads). */
    public Progress(long initial) {
        VALUE.setRelease(this, initial);
    }

    /** Load-acquire: everything the writer wrote before storing this value is visible after. */
    public long getAcquire() {
        return (long) VALUE.getAcquire(this);
    }

    /** A plain load: for the writer reading back its own value, or for statistics that may be stale. */
    public long getPlain() {
        return (long) VALUE.get(this);
    }

    /** A volatile load (sequentially consistent with the volatile stores of other threads). */
    public long getVolatile() {
        return (long) VALUE.getVolatile(this);
    }

    /** Store-release by the single writer: publishes what it wrote before. */
    public void setRelease(long value) {
        VALUE.setRelease(this, value);
    }

    /** A volatile store: a release that later loads of this thread cannot overtake. */
    public void setVolatile(long value) {
        VALUE.setVolatile(this, value);
    }

    /** Single writer: adds one with a plain read and a release store (no locked instruction). */
    public long incrementRelease() {
        long next = (long) VALUE.get(this) + 1;
        VALUE.setRelease(this, next);
        return next;
    }

    /** Single writer: adds {@code delta} with a plain read and a release store. */
    public long addRelease(long delta) {
        long next = (long) VALUE.get(this) + delta;
        VALUE.setRelease(this, next);
        return next;
    }

    /** For a value several threads change: sets {@code value} if it still holds {@code expected} (full fence). */
    public boolean compareAndSet(long expected, long value) {
        return VALUE.compareAndSet(this, expected, value);
    }

    @Override
    public String toString() {
        return Long.toString(getVolatile());
    }
}

/** Padding before the value: the fields of the object header's neighbours stay off its lines. */
abstract class ProgressLeftPadding {
    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16;
}

/** The value itself. */
abstract class ProgressValue extends ProgressLeftPadding {
    @SuppressWarnings("unused")
    long value;
}

/** Padding after the value: whatever is allocated next stays off its lines. */
abstract class ProgressFields extends ProgressValue {
    @SuppressWarnings("unused")
    private long p17, p18, p19, p20, p21, p22, p23, p24, p25, p26, p27, p28, p29, p30, p31, p32;
}
