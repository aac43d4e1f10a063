package io.ferrite.libc;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Calls every binding for real against the running kernel. */
class LibCTest {

    @Test
    void bindingsAreAvailableOnLinux() {
        assertThat(LibC.availability().isAvailable())
            .as("unavailable because: %s", LibC.availability().unavailabilityCause())
            .isTrue();
        assertThat(LibC.availability().unavailabilityCause()).isEmpty();
    }

    @Test
    void pageSizeIsAPowerOfTwoOfAtLeast4K() {
        int pageSize = LibC.pageSize();
        assertThat(pageSize).isGreaterThanOrEqualTo(4096);
        assertThat(Integer.bitCount(pageSize)).isEqualTo(1);
    }

    @Test
    void schedGetCpuReturnsACpuThisMachineHas() {
        int cpu = LibC.schedGetCpu();
        assertThat(cpu).isBetween(0, Runtime.getRuntime().availableProcessors() - 1 + onlineCpusBeyondAvailable());
    }

    @Test
    void mlockRaisesVmLckAndMunlockLowersIt() throws IOException {
        long pages = 16;
        try (AnonymousMapping mapping = LibC.mmapAnonymous(pages * LibC.pageSize(), false)) {
            long before = vmLckKiB();
            LibC.mlock(mapping.segment());
            long locked = vmLckKiB();
            assertThat(locked - before).isEqualTo(pages * LibC.pageSize() / 1024);
            LibC.munlock(mapping.segment());
            assertThat(vmLckKiB()).isEqualTo(before);
        }
    }

    @Test
    void madviseDontNeedZeroesPrivateAnonymousPages() {
        long length = 4L * LibC.pageSize();
        try (AnonymousMapping mapping = LibC.mmapAnonymous(length, false)) {
            MemorySegment segment = mapping.segment();
            segment.fill((byte) 0x5A);
            assertThat(segment.get(ValueLayout.JAVA_BYTE, length - 1)).isEqualTo((byte) 0x5A);
            LibC.madvise(segment, MemoryAdvice.WILL_NEED);
            LibC.madvise(segment, MemoryAdvice.DONT_NEED);
            for (long offset = 0; offset < length; offset += 512) {
                assertThat(segment.get(ValueLayout.JAVA_BYTE, offset)).isZero();
            }
        }
    }

    @Test
    void madviseOfAnUnalignedAddressFailsWithEinval() {
        try (AnonymousMapping mapping = LibC.mmapAnonymous(2L * LibC.pageSize(), false)) {
            MemorySegment unaligned = mapping.segment().asSlice(1, 100);
            assertThatThrownBy(() -> LibC.madvise(unaligned, MemoryAdvice.DONT_NEED))
                .isInstanceOf(NativeCallException.class)
                .hasMessageContaining("madvise(address=0x")
                .hasMessageContaining("errno=22 (Invalid argument)");
        }
    }

    @Test
    void mmapAnonymousIsZeroFilledPageRoundedAndWritable() {
        try (AnonymousMapping mapping = LibC.mmapAnonymous(100, false)) {
            MemorySegment segment = mapping.segment();
            assertThat(segment.byteSize()).isEqualTo(LibC.pageSize());
            assertThat(segment.address() % LibC.pageSize()).isZero();
            assertThat(segment.get(ValueLayout.JAVA_LONG, 0)).isZero();
            segment.set(ValueLayout.JAVA_LONG, 8, 42L);
            assertThat(segment.get(ValueLayout.JAVA_LONG, 8)).isEqualTo(42L);
            assertThat(mapping.hugeTlb()).isFalse();
            assertThat(mapping.hugeTlbFailure()).isEmpty();
        }
    }

    @Test
    void hugePageRequestEitherGetsHugeTlbOrFallsBackWithTheReason() {
        try (AnonymousMapping mapping = LibC.mmapAnonymous(3 * 1024 * 1024, true)) {
            MemorySegment segment = mapping.segment();
            segment.set(ValueLayout.JAVA_INT, segment.byteSize() - 4, 7);
            assertThat(segment.get(ValueLayout.JAVA_INT, segment.byteSize() - 4)).isEqualTo(7);
            if (mapping.hugeTlb()) {
                assertThat(segment.byteSize()).isEqualTo(2 * AnonymousMapping.HUGE_PAGE_SIZE);
                assertThat(mapping.hugeTlbFailure()).isEmpty();
            } else {
                assertThat(segment.byteSize()).isEqualTo(3L * 1024 * 1024);
                assertThat(mapping.hugeTlbFailure()).get().asString().contains("mmap(", "errno=");
            }
        }
    }

    @Test
    void munmapOfABadAddressGivesAClearException() {
        assertThatThrownBy(() -> LibC.munmap(1L, 4096))
            .isInstanceOf(NativeCallException.class)
            .hasMessage("munmap(address=0x1, length=4096) failed: errno=22 (Invalid argument)")
            .satisfies(e -> {
                NativeCallException failure = (NativeCallException) e;
                assertThat(failure.function()).isEqualTo("munmap");
                assertThat(failure.errno()).isEqualTo(22);
            });
    }

    @Test
    void mmapRejectsNonPositiveLengths() {
        assertThatThrownBy(() -> LibC.mmapAnonymous(0, false))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("length must be positive");
    }

    /** CPUs online but outside this process's allowed set still count as valid CPU numbers. */
    private static int onlineCpusBeyondAvailable() {
        try {
            String online = Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
            String last = online.substring(Math.max(online.lastIndexOf('-'), online.lastIndexOf(',')) + 1);
            return Math.max(0, Integer.parseInt(last) + 1 - Runtime.getRuntime().availableProcessors());
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long vmLckKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmLck:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmLck line in /proc/self/status");
    }
}
