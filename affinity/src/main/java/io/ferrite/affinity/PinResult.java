package io.ferrite.affinity;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * Where one thread made by a {@link PinningThreadFactory} ended up: pinned to {@link #cpu()}, or
 * unpinned for {@link #reason()} (the layout said so, or pinning failed or was not permitted).
 *
 * <p>Thread-safety: immutable.
 *
 * @param threadName the thread's name, {@code ferrite-<role>-<n>}
 * @param role       the role the thread was made for
 * @param cpu        the CPU it is pinned to; empty when unpinned
 * @param reason     why it is unpinned; empty when pinned
 */
public record PinResult(String threadName, String role, OptionalInt cpu, String reason) {

    public PinResult {
        Objects.requireNonNull(threadName, "threadName");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(reason, "reason");
        if (cpu.isPresent() != reason.isEmpty()) {
            throw new IllegalArgumentException("a pinned result has no reason and an unpinned one has one: cpu="
                + cpu + ", reason='" + reason + "'");
        }
    }

    /** A thread pinned to {@code cpu}. */
    public static PinResult pinned(String threadName, String role, int cpu) {
        return new PinResult(threadName, role, OptionalInt.of(cpu), "");
    }

    /** A thread running unpinned, for a non-empty {@code reason}. */
    public static PinResult unpinned(String threadName, String role, String reason) {
        if (reason.isEmpty()) {
            throw new IllegalArgumentException("an unpinned result needs a reason");
        }
        return new PinResult(threadName, role, OptionalInt.empty(), reason);
    }

    /** Whether the thread is pinned to a CPU. */
    public boolean isPinned() {
        return cpu.isPresent();
    }

    /** One line for logs: {@code ferrite-io-0 (io): CPU 1} or {@code ... : unpinned (reason)}. */
    public String describe() {
        return threadName + " (" + role + "): "
            + (isPinned() ? "CPU " + cpu.getAsInt() : "unpinned (" + reason + ")");
    }
}
