package io.ferrite.engine.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter with exactly one writing thread and any number of readers: the writer increments with
 * a plain read and a release store ({@link #incrementOrdered}); readers load with acquire.
 *
 * <p>Thread-safety: single writer (the owning stage), many readers.
 */
public final class SingleWriterCounter {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(SingleWriterCounter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private long value;

    /** Owner only: adds one, publishing with release semantics. */
    public void incrementOrdered() {
        VALUE.setRelease(this, (long) VALUE.get(this) + 1);
    }

    /** Owner only: adds {@code delta}, publishing with release semantics. */
    public void addOrdered(long delta) {
        VALUE.setRelease(this, (long) VALUE.get(this) + delta);
    }

    /** Owner only: sets the value, publishing with release semantics. */
    public void setOrdered(long newValue) {
        VALUE.setRelease(this, newValue);
    }

    /** Any thread: the latest published value. */
    public long getAcquire() {
        return (long) VALUE.getAcquire(this);
    }
}
