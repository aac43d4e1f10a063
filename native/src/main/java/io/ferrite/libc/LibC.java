package io.ferrite.libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * Ferrite's libc surface: {@code mlock}/{@code munlock}, {@code madvise}, anonymous
 * {@code mmap}/{@code munmap}, {@code sched_getcpu} and {@code getpagesize}, through the FFM
 * {@link java.lang.foreign.Linker}. Failures throw {@link NativeCallException} with errno and
 * {@code strerror}'s text; these are control-path calls, they may allocate.
 *
 * <p>Thread-safety: stateless, safe from any thread.
 */
public final class LibC {
    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_PRIVATE = 0x02;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_HUGETLB = 0x40000;
    static final long MAP_FAILED = -1L;

    private static final NativeAvailability AVAILABILITY = probe();

    private LibC() {
    }

    /** Whether the bindings linked on this platform, with the cause kept when they did not. */
    public static NativeAvailability availability() {
        return AVAILABILITY;
    }

    /** Locks the pages of {@code segment} into RAM ({@code mlock(2)}). */
    public static void mlock(MemorySegment segment) {
        callWithErrno("mlock", segment, 0, Call.MLOCK);
    }

    /** Unlocks the pages of {@code segment} ({@code munlock(2)}). */
    public static void munlock(MemorySegment segment) {
        callWithErrno("munlock", segment, 0, Call.MUNLOCK);
    }

    /** Gives the kernel {@code advice} about {@code segment}; the segment must be page-aligned. */
    public static void madvise(MemorySegment segment, MemoryAdvice advice) {
        callWithErrno("madvise", segment, advice.linuxValue(), Call.MADVISE);
    }

    /**
     * Maps {@code length} bytes of private anonymous memory, read/write, zero-filled.
     *
     * @param length    bytes wanted; rounded up to whole pages (whole huge pages with MAP_HUGETLB)
     * @param hugePages when true, tries MAP_HUGETLB first and on failure falls back to normal pages
     *                  advised with {@link MemoryAdvice#HUGE_PAGE}; the mapping says which happened
     */
    public static AnonymousMapping mmapAnonymous(long length, boolean hugePages) {
        if (length <= 0) {
            throw new IllegalArgumentException("length must be positive: " + length);
        }
        AVAILABILITY.ensureAvailable();
        String hugeTlbFailure = null;
        if (hugePages) {
            long hugeLength = roundUp(length, AnonymousMapping.HUGE_PAGE_SIZE);
            try {
                MemorySegment mapped = mmap(hugeLength, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB);
                return new AnonymousMapping(mapped, true, null);
            } catch (NativeCallException e) {
                hugeTlbFailure = e.getMessage();
            }
        }
        MemorySegment mapped = mmap(roundUp(length, pageSize()), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
        if (hugePages) {
            madvise(mapped, MemoryAdvice.HUGE_PAGE);
        }
        return new AnonymousMapping(mapped, false, hugeTlbFailure);
    }

    /** Unmaps {@code length} bytes at {@code address} ({@code munmap(2)}). */
    public static void munmap(long address, long length) {
        callWithErrno("munmap", MemorySegment.ofAddress(address), length, 0, Call.MUNMAP);
    }

    /** The CPU the calling thread is running on right now ({@code sched_getcpu(3)}). */
    public static int schedGetCpu() {
        AVAILABILITY.ensureAvailable();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Bindings.newErrnoCapture(arena);
            int cpu = (int) Bindings.SCHED_GETCPU.invokeExact(capture);
            if (cpu < 0) {
                throw failure("sched_getcpu", "", Bindings.errno(capture));
            }
            return cpu;
        } catch (NativeCallException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sched_getcpu downcall failed", t);
        }
    }

    /** The system page size in bytes ({@code getpagesize(2)}). */
    public static int pageSize() {
        AVAILABILITY.ensureAvailable();
        try {
            return (int) Bindings.GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("getpagesize downcall failed", t);
        }
    }

    static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    private static MemorySegment mmap(long length, int prot, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Bindings.newErrnoCapture(arena);
            MemorySegment address = (MemorySegment) Bindings.MMAP.invokeExact(
                capture, MemorySegment.NULL, length, prot, flags, -1, 0L);
            if (address.address() == MAP_FAILED) {
                throw failure("mmap", String.format(Locale.ROOT,
                    "length=%d, prot=0x%x, flags=0x%x", length, prot, flags), Bindings.errno(capture));
            }
            return address.reinterpret(length);
        } catch (NativeCallException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("mmap downcall failed", t);
        }
    }

    /** The int-returning calls that take (address, length[, int]). */
    private enum Call { MLOCK, MUNLOCK, MADVISE, MUNMAP }

    private static void callWithErrno(String name, MemorySegment segment, int extra, Call call) {
        callWithErrno(name, segment, segment.byteSize(), extra, call);
    }

    private static void callWithErrno(String name, MemorySegment address, long length, int extra, Call call) {
        AVAILABILITY.ensureAvailable();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Bindings.newErrnoCapture(arena);
            int result = switch (call) {
                case MLOCK -> (int) Bindings.MLOCK.invokeExact(capture, address, length);
                case MUNLOCK -> (int) Bindings.MUNLOCK.invokeExact(capture, address, length);
                case MADVISE -> (int) Bindings.MADVISE.invokeExact(capture, address, length, extra);
                case MUNMAP -> (int) Bindings.MUNMAP.invokeExact(capture, address, length);
            };
            if (result != 0) {
                String arguments = String.format(Locale.ROOT, "address=0x%x, length=%d", address.address(), length)
                    + (call == Call.MADVISE ? ", advice=" + extra : "");
                throw failure(name, arguments, Bindings.errno(capture));
            }
        } catch (NativeCallException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(name + " downcall failed", t);
        }
    }

    private static NativeCallException failure(String function, String arguments, int errno) {
        return new NativeCallException(function, arguments, errno, Bindings.errorText(errno));
    }

    private static NativeAvailability probe() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).contains("linux")) {
            return new NativeAvailability(new IllegalStateException("Linux only; this is " + os));
        }
        try {
            int pageSize = (int) Bindings.GETPAGESIZE.invokeExact();
            if (pageSize <= 0) {
                return new NativeAvailability(new IllegalStateException("getpagesize returned " + pageSize));
            }
            return new NativeAvailability(null);
        } catch (Throwable t) {
            return new NativeAvailability(t instanceof ExceptionInInitializerError e && e.getCause() != null
                ? e.getCause() : t);
        }
    }
}
