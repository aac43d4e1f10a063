package io.ferrite.libc;

import java.util.Optional;

/**
 * Whether the libc bindings could be linked on this platform, and if not, why. Modelled on
 * Netty's {@code IoUring.unavailabilityCause()}: the cause is kept, not swallowed.
 *
 * <p>Thread-safety: immutable.
 */
public final class NativeAvailability {
    private final Throwable unavailabilityCause;

    NativeAvailability(Throwable unavailabilityCause) {
        this.unavailabilityCause = unavailabilityCause;
    }

    /** True when every binding linked and can be called. */
    public boolean isAvailable() {
        return unavailabilityCause == null;
    }

    /** Why the bindings are unavailable; empty when they are available. */
    public Optional<Throwable> unavailabilityCause() {
        return Optional.ofNullable(unavailabilityCause);
    }

    /** Throws an {@link IllegalStateException} carrying the cause when unavailable. */
    public void ensureAvailable() {
        if (unavailabilityCause != null) {
            throw new IllegalStateException(
                "libc bindings unavailable: " + unavailabilityCause, unavailabilityCause);
        }
    }
}
