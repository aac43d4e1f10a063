package io.ferrite.offheap;

/**
 * Reports slab misuse the way a pool's {@link SlabConfig#checked()} mode asks: an
 * {@link IllegalStateException} when checked, an {@link AssertionError} (only under {@code -ea})
 * otherwise.
 *
 * <p>Thread-safety: stateless.
 */
final class SlotGuard {
    private SlotGuard() {
    }

    /** Whether a pool with this config must track per-slot state at all. */
    static boolean tracksState(SlabConfig config) {
        return config.checked() || assertionsEnabled();
    }

    static void foreignSlot(boolean checked, int slot, int capacity) {
        fail(checked, "slot " + slot + " does not belong to this pool (capacity " + capacity + ")");
    }

    static void doubleFree(boolean checked, int slot) {
        fail(checked, "slot " + slot + " freed but not allocated (double free?)");
    }

    private static void fail(boolean checked, String message) {
        if (checked) {
            throw new IllegalStateException(message);
        }
        throw new AssertionError(message);
    }

    @SuppressWarnings("AssertWithSideEffects")
    private static boolean assertionsEnabled() {
        boolean enabled = false;
        assert enabled = true;
        return enabled;
    }
}
