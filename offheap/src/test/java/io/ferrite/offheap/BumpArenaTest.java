package io.ferrite.offheap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BumpArenaTest {
    private final Arena owner = Arena.ofConfined();
    private final MemorySegment memory = owner.allocate(1024, 64);
    private final BumpArena arena = new BumpArena(memory);

    @AfterEach
    void release() {
        owner.close();
    }

    @Test
    void allocationsAreSequentialAndAligned() {
        assertThat(arena.allocate(3, 1)).isEqualTo(0);
        assertThat(arena.allocate(8)).isEqualTo(8);
        assertThat(arena.allocate(1, 64)).isEqualTo(64);
        assertThat(arena.used()).isEqualTo(65);
        assertThat(arena.remaining()).isEqualTo(1024 - 65);
        long offset = arena.allocate(16, 16);
        assertThat((memory.address() + offset) % 16).isZero();
    }

    @Test
    void alignmentIsAbsoluteEvenOverAnUnalignedSegment() {
        BumpArena unaligned = new BumpArena(memory.asSlice(3, 500));
        long offset = unaligned.allocate(8, 8);
        assertThat(offset).isEqualTo(5);
        assertThat((unaligned.memory().address() + offset) % 8).isZero();
    }

    @Test
    void overflowReturnsTheSentinelAndLeavesTheArenaUnchanged() {
        assertThat(arena.allocate(1000)).isEqualTo(0);
        long used = arena.used();
        assertThat(arena.allocate(100)).isEqualTo(BumpArena.OVERFLOW);
        assertThat(arena.used()).isEqualTo(used);
        assertThat(arena.allocate(24)).isEqualTo(1000);
        assertThat(arena.remaining()).isZero();
        assertThat(arena.allocate(1)).isEqualTo(BumpArena.OVERFLOW);
        assertThat(arena.allocate(Long.MAX_VALUE - 10)).isEqualTo(BumpArena.OVERFLOW);
        assertThat(arena.allocate(0)).isEqualTo(1024);
    }

    @Test
    void resetTakesEverythingBack() {
        arena.allocate(512);
        arena.reset();
        assertThat(arena.used()).isZero();
        assertThat(arena.allocate(1024)).isZero();
    }

    @Test
    void rewindFreesOnlyWhatCameAfterTheMark() {
        arena.allocate(100);
        long mark = arena.mark();
        arena.allocate(200);
        arena.allocate(300);
        arena.rewind(mark);
        assertThat(arena.used()).isEqualTo(100);
        assertThat(arena.allocate(8)).isEqualTo(104);
    }

    @Test
    void aStaleMarkIsRefused() {
        arena.allocate(100);
        long mark = arena.mark();
        arena.reset();
        assertThatThrownBy(() -> arena.rewind(mark))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("mark 100 is not behind the current position 0");
        assertThatThrownBy(() -> arena.rewind(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> arena.allocate(8, 3)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("power of two");
        assertThatThrownBy(() -> arena.allocate(-1, 8)).isInstanceOf(IllegalArgumentException.class);
    }
}
