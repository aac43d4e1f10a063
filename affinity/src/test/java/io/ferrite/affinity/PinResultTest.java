package io.ferrite.affinity;

import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A result is either pinned to a CPU or unpinned with a reason, never both or neither. */
class PinResultTest {

    @Test
    void pinnedHasACpuAndNoReason() {
        PinResult pinned = PinResult.pinned("ferrite-io-0", "io", 3);
        assertThat(pinned.isPinned()).isTrue();
        assertThat(pinned.cpu()).hasValue(3);
        assertThat(pinned.reason()).isEmpty();
        assertThat(pinned.describe()).isEqualTo("ferrite-io-0 (io): CPU 3");
    }

    @Test
    void unpinnedHasAReasonAndNoCpu() {
        PinResult unpinned = PinResult.unpinned("ferrite-io-0", "io", "layout 'none'");
        assertThat(unpinned.isPinned()).isFalse();
        assertThat(unpinned.cpu()).isEmpty();
        assertThat(unpinned.describe()).isEqualTo("ferrite-io-0 (io): unpinned (layout 'none')");
    }

    @Test
    void mixedOrMissingOutcomesAreRejected() {
        assertThatThrownBy(() -> new PinResult("t", "io", OptionalInt.of(1), "because"))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PinResult("t", "io", OptionalInt.empty(), ""))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PinResult.unpinned("t", "io", ""))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
