package io.ferrite.offheap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract every {@link SlabPool} implementation keeps, run against each of them. */
class SlabPoolContractTest {

    record Implementation(String name, Function<SlabConfig, SlabPool> factory) {
        SlabPool create(SlabConfig config) {
            return factory.apply(config);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Implementation> implementations() {
        return Stream.of(
            new Implementation("SingleOwnerSlabPool", SingleOwnerSlabPool::new),
            new Implementation("ConcurrentSlabPool", ConcurrentSlabPool::new));
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void handsOutEverySlotOnceThenReportsExhaustion(Implementation impl) {
        try (SlabPool pool = impl.create(SlabConfig.of(64, 100))) {
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                int slot = pool.allocate();
                assertThat(slot).isBetween(0, 99);
                assertThat(seen.add(slot)).as("slot %d handed out twice", slot).isTrue();
            }
            assertThat(pool.available()).isZero();
            assertThat(pool.allocate()).isEqualTo(SlabPool.EXHAUSTED);
            assertThat(pool.allocate()).isEqualTo(SlabPool.EXHAUSTED);
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void aFreedSlotCanBeAllocatedAgain(Implementation impl) {
        try (SlabPool pool = impl.create(SlabConfig.of(16, 2))) {
            int first = pool.allocate();
            int second = pool.allocate();
            assertThat(pool.allocate()).isEqualTo(SlabPool.EXHAUSTED);
            pool.free(first);
            assertThat(pool.available()).isEqualTo(1);
            assertThat(pool.allocate()).isEqualTo(first);
            pool.free(second);
            pool.free(first);
            assertThat(pool.available()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void slotsAreDisjointAlignedRangesOfOneSegment(Implementation impl) {
        int slotSize = 128;
        int capacity = 64;
        try (SlabPool pool = impl.create(SlabConfig.of(slotSize, capacity))) {
            assertThat(pool.memory().byteSize()).isEqualTo((long) slotSize * capacity);
            assertThat(pool.slotSize()).isEqualTo(slotSize);
            assertThat(pool.capacity()).isEqualTo(capacity);
            int[] slots = new int[capacity];
            for (int i = 0; i < capacity; i++) {
                slots[i] = pool.allocate();
                long offset = pool.offset(slots[i]);
                assertThat((pool.memory().address() + offset) % 8).isZero();
                pool.memory().asSlice(offset, slotSize).fill((byte) slots[i]);
            }
            for (int slot : slots) {
                long offset = pool.offset(slot);
                assertThat(pool.memory().get(ValueLayout.JAVA_BYTE, offset)).isEqualTo((byte) slot);
                assertThat(pool.memory().get(ValueLayout.JAVA_BYTE, offset + slotSize - 1)).isEqualTo((byte) slot);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void doubleFreeIsDetectedInCheckedMode(Implementation impl) {
        try (SlabPool pool = impl.create(SlabConfig.of(8, 4))) {
            int slot = pool.allocate();
            pool.free(slot);
            assertThatThrownBy(() -> pool.free(slot))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("slot " + slot + " freed but not allocated (double free?)");
            assertThat(pool.available()).isEqualTo(4);
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void freeingANeverAllocatedSlotIsDetected(Implementation impl) {
        try (SlabPool pool = impl.create(SlabConfig.of(8, 4))) {
            assertThatThrownBy(() -> pool.free(2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("double free");
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void foreignSlotsAreDetected(Implementation impl) {
        try (SlabPool pool = impl.create(SlabConfig.of(8, 4))) {
            assertThatThrownBy(() -> pool.free(4))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("slot 4 does not belong to this pool (capacity 4)");
            assertThatThrownBy(() -> pool.free(-1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not belong");
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void uncheckedModeStillCatchesMisuseUnderAssertions(Implementation impl) {
        // Surefire runs with -ea, so the unchecked pool reports through assert.
        try (SlabPool pool = impl.create(SlabConfig.of(8, 4).withChecked(false))) {
            int slot = pool.allocate();
            pool.free(slot);
            assertThatThrownBy(() -> pool.free(slot)).isInstanceOf(AssertionError.class);
            assertThatThrownBy(() -> pool.free(99)).isInstanceOf(AssertionError.class);
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void lockedMemoryShowsUpInVmLck(Implementation impl) throws IOException {
        long before = vmLckKiB();
        SlabConfig config = SlabConfig.of(4096, 32).withLockMemory(true);
        try (SlabPool pool = impl.create(config)) {
            assertThat(vmLckKiB() - before).isEqualTo(config.byteSize() / 1024);
            assertThat(pool.allocate()).isNotEqualTo(SlabPool.EXHAUSTED);
        }
        assertThat(vmLckKiB()).isEqualTo(before);
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void hugePageAdvisedPoolsWork(Implementation impl) {
        try (SlabPool pool = impl.create(SlabConfig.of(1024, 4096).withHugePages(true))) {
            int slot = pool.allocate();
            pool.memory().set(ValueLayout.JAVA_LONG, pool.offset(slot), 7L);
            assertThat(pool.memory().get(ValueLayout.JAVA_LONG, pool.offset(slot))).isEqualTo(7L);
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void rejectsBadConfigurations(Implementation impl) {
        assertThatThrownBy(() -> impl.create(SlabConfig.of(12, 4)))
            .hasMessage("slotSize must be a positive multiple of 8, was 12");
        assertThatThrownBy(() -> impl.create(SlabConfig.of(8, 0)))
            .hasMessage("capacity must be at least 1, was 0");
    }

    static long vmLckKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmLck:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmLck line");
    }
}
