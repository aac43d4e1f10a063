package io.ferrite.affinity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * The set of CPU ids this process may run on, in the kernel's list format ({@code 0-1},
 * {@code 0,2-3}, {@code 5}), as the {@code Cpus_allowed_list:} line of {@code /proc/self/status}
 * shows it. A {@link CpuLayout} is validated against it.
 *
 * <p>Thread-safety: immutable.
 */
public final class AllowedCpus {
    /** Highest CPU id accepted; Linux's own limit (CONFIG_NR_CPUS) is 8192 at most. */
    static final int MAX_CPU = 8191;

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final String ALLOWED_LIST_KEY = "Cpus_allowed_list:";

    private final int[] cpus;

    private AllowedCpus(int[] ascendingDistinctCpus) {
        this.cpus = ascendingDistinctCpus;
    }

    /**
     * The CPUs this process may use now, read from {@code Cpus_allowed_list:} in
     * {@code /proc/self/status} (the main thread's mask, which {@code taskset} and cgroup cpusets
     * set). Where that file does not exist (not Linux), assumes CPUs {@code 0} to
     * {@code availableProcessors() - 1}.
     *
     * @throws UncheckedIOException when the file exists but cannot be read
     * @throws IllegalStateException when the file has no parsable {@code Cpus_allowed_list:} line
     */
    public static AllowedCpus ofThisProcess() {
        String status;
        try {
            status = Files.readString(STATUS);
        } catch (NoSuchFileException e) {
            return range(0, Runtime.getRuntime().availableProcessors() - 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATUS + " to find the CPUs this process may use", e);
        }
        return fromStatus(status);
    }

    /** Parses the text of a {@code /proc/<pid>/status} file; separate from the read for tests. */
    static AllowedCpus fromStatus(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith(ALLOWED_LIST_KEY)) {
                try {
                    return parse(line.substring(ALLOWED_LIST_KEY.length()).strip());
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("unexpected '" + line + "' in " + STATUS + ": " + e.getMessage(), e);
                }
            }
        }
        throw new IllegalStateException("no '" + ALLOWED_LIST_KEY + "' line in " + STATUS);
    }

    /**
     * Parses a CPU list in the kernel's format: comma-separated CPU ids and inclusive ranges,
     * e.g. {@code 0-1}, {@code 0,2-3}, {@code 5}. Spaces around items are ignored.
     *
     * @throws IllegalArgumentException naming the faulty item when {@code list} is not such a list
     */
    public static AllowedCpus parse(String list) {
        Objects.requireNonNull(list, "list");
        if (list.isBlank()) {
            throw new IllegalArgumentException("cpu list '" + list + "': empty; give CPU ids and ranges like '0-3' or '0,2-3'");
        }
        BitSet set = new BitSet();
        for (String rawItem : list.split(",", -1)) {
            String item = rawItem.strip();
            if (item.isEmpty()) {
                throw new IllegalArgumentException("cpu list '" + list + "': empty item; separate CPU ids and ranges with single commas");
            }
            int dash = item.indexOf('-');
            if (dash < 0) {
                set.set(cpuNumber(list, item));
            } else {
                int from = cpuNumber(list, item.substring(0, dash).strip());
                int to = cpuNumber(list, item.substring(dash + 1).strip());
                if (to < from) {
                    throw new IllegalArgumentException("cpu list '" + list + "': range '" + item + "' runs backwards; write it as " + to + "-" + from);
                }
                set.set(from, to + 1);
            }
        }
        return new AllowedCpus(set.stream().toArray());
    }

    /** CPUs {@code from} to {@code to}, both inclusive. */
    static AllowedCpus range(int from, int to) {
        return new AllowedCpus(IntStream.rangeClosed(from, to).toArray());
    }

    /**
     * Parses one CPU id of {@code text}, a list or a layout, for error messages that quote it.
     *
     * @throws IllegalArgumentException "'x' is not a CPU number" or naming the limit
     */
    static int cpuNumber(String text, String item) {
        return cpuNumber("cpu list", text, item);
    }

    static int cpuNumber(String kind, String text, String item) {
        if (item.isEmpty() || item.length() > 9 || !item.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(kind + " '" + text + "': '" + item + "' is not a CPU number");
        }
        int cpu = Integer.parseInt(item);
        if (cpu > MAX_CPU) {
            throw new IllegalArgumentException(kind + " '" + text + "': CPU " + cpu + " is above the highest CPU id Linux supports (" + MAX_CPU + ")");
        }
        return cpu;
    }

    /** How many CPUs the set holds; at least one. */
    public int count() {
        return cpus.length;
    }

    /** Whether {@code cpu} is in the set. */
    public boolean contains(int cpu) {
        return Arrays.binarySearch(cpus, cpu) >= 0;
    }

    /** The {@code index}-th CPU id in ascending order, {@code 0 <= index < count()}. */
    public int cpu(int index) {
        Objects.checkIndex(index, cpus.length);
        return cpus[index];
    }

    /** The CPU ids in ascending order. */
    public IntStream stream() {
        return Arrays.stream(cpus);
    }

    /** The CPUs of this set that are not in {@code others}, in list format; empty when none remain. */
    String listWithout(BitSet others) {
        BitSet rest = new BitSet();
        for (int cpu : cpus) {
            if (!others.get(cpu)) {
                rest.set(cpu);
            }
        }
        return rest.isEmpty() ? "" : toList(rest.stream().toArray());
    }

    /** The kernel's list format of the set, runs of two or more folded into ranges: {@code 0,2-3}. */
    @Override
    public String toString() {
        return toList(cpus);
    }

    private static String toList(int[] ascending) {
        StringBuilder list = new StringBuilder();
        int start = 0;
        while (start < ascending.length) {
            int end = start;
            while (end + 1 < ascending.length && ascending[end + 1] == ascending[end] + 1) {
                end++;
            }
            if (!list.isEmpty()) {
                list.append(',');
            }
            list.append(ascending[start]);
            if (end > start) {
                list.append('-').append(ascending[end]);
            }
            start = end + 1;
        }
        return list.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AllowedCpus that && Arrays.equals(cpus, that.cpus);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(cpus);
    }
}
