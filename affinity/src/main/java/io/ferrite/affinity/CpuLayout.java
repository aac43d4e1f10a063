package io.ferrite.affinity;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Which CPU each thread role is pinned to, parsed once from a spec and validated against the
 * CPUs this process may use. A {@link PinningThreadFactory} applies it; no stage knows its core.
 *
 * <p>Specs:
 * <ul>
 *   <li>{@code none}: pin nothing.</li>
 *   <li>{@code io=1,journal=2,stages=3}: explicit, one CPU per role; roles are {@code io},
 *       {@code journal}, {@code stages} and {@code stage-N} ({@code N} = 0, 1, ...). A
 *       {@code stage-N} thread without its own entry uses the {@code stages} CPU. Roles may share
 *       a CPU; roles left out run unpinned.</li>
 *   <li>{@code auto}: a layout chosen from the count of allowed CPUs, taken in ascending order
 *       (c0 &lt; c1 &lt; ...), with one rule: pin a role only where it gets a CPU of its own and
 *       the lowest allowed CPU stays free for the OS, GC, JIT and unpinned threads.
 *     <ul>
 *       <li>1 or 2 CPUs: pin nothing. Busy-spinning threads pinned onto one of two cores starve
 *           whatever else the scheduler puts there; use an explicit layout on isolated cores.</li>
 *       <li>3 CPUs: {@code io=c1, journal=c2}; stages unpinned, sharing c0 with the OS.</li>
 *       <li>4 or more: {@code io=c1, journal=c2, stages=c3}; the rest stay unpinned. Stage
 *           threads that each busy-spin want their own {@code stage-N} entries.</li>
 *     </ul>
 *   </li>
 * </ul>
 * Errors are {@link IllegalArgumentException}s quoting the spec, saying what is wrong and how to
 * fix it, e.g. {@code cpu layout 'io=7': CPU 7 is not available to this process (allowed: 0-1)}.
 *
 * <p>Thread-safety: immutable.
 */
public final class CpuLayout {
    /** The network I/O thread. */
    public static final String IO = "io";
    /** The journal (durability) thread. */
    public static final String JOURNAL = "journal";
    /** The thread running the grouped stages, and the fallback of every {@code stage-N}. */
    public static final String STAGES = "stages";

    private static final String ROLES = "roles: io, journal, stages, stage-N";
    private static final String STAGE_PREFIX = "stage-";
    private static final Pattern STAGE_N = Pattern.compile("stage-(0|[1-9][0-9]{0,8})");
    private static final List<String> MAIN_ROLES = List.of(IO, JOURNAL, STAGES);

    private enum Mode { AUTO, NONE, EXPLICIT }

    private final String spec;
    private final AllowedCpus allowed;
    private final Mode mode;
    /** Role to CPU, in plan order: io, journal, stages, then stage-N by N. */
    private final Map<String, Integer> cpuByRole;
    /** Why auto left roles unpinned; null unless mode is AUTO. */
    private final String autoNote;

    private CpuLayout(String spec, AllowedCpus allowed, Mode mode, Map<String, Integer> cpuByRole, String autoNote) {
        this.spec = spec;
        this.allowed = allowed;
        this.mode = mode;
        this.cpuByRole = cpuByRole;
        this.autoNote = autoNote;
    }

    /** The role name of stage thread {@code n}: {@code stage-n}. */
    public static String stage(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("stage number must be >= 0: " + n);
        }
        return STAGE_PREFIX + n;
    }

    /** Pins nothing: every role runs where the OS schedules it. */
    public static CpuLayout none() {
        return parse("none");
    }

    /** Pins by role when there are enough CPUs for it, else nothing (see {@code auto} in the class javadoc). */
    public static CpuLayout auto() {
        return parse("auto");
    }

    /** Parses {@code spec} against the CPUs this process may use ({@link AllowedCpus#ofThisProcess()}). */
    public static CpuLayout parse(String spec) {
        return parse(spec, AllowedCpus.ofThisProcess());
    }

    /**
     * Parses {@code spec} ({@code auto}, {@code none} or {@code role=cpu,...}; surrounding
     * spaces ignored) and checks every CPU is in {@code allowed}.
     *
     * @throws IllegalArgumentException saying what is wrong with the spec and how to fix it
     */
    public static CpuLayout parse(String spec, AllowedCpus allowed) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(allowed, "allowed");
        String trimmed = spec.strip();
        return switch (trimmed) {
            case "" -> throw new IllegalArgumentException("cpu layout '" + spec
                + "': empty; use 'auto', 'none' or role=cpu pairs like 'io=1,journal=2,stages=3'");
            case "none" -> new CpuLayout(trimmed, allowed, Mode.NONE, Map.of(), null);
            case "auto" -> auto(allowed);
            default -> explicit(trimmed, allowed);
        };
    }

    private static CpuLayout auto(AllowedCpus allowed) {
        int n = allowed.count();
        Map<String, Integer> cpus = new LinkedHashMap<>();
        String note;
        if (n < 3) {
            note = n + (n == 1 ? " CPU" : " CPUs")
                + ": pinning disabled to avoid starving busy threads; use an explicit layout on isolated cores";
        } else {
            cpus.put(IO, allowed.cpu(1));
            cpus.put(JOURNAL, allowed.cpu(2));
            if (n >= 4) {
                cpus.put(STAGES, allowed.cpu(3));
                note = null;
            } else {
                note = "3 CPUs: stages share CPU " + allowed.cpu(0)
                    + " with the OS; auto pins stages from 4 CPUs on, or use an explicit layout";
            }
        }
        return new CpuLayout("auto", allowed, Mode.AUTO, Collections.unmodifiableMap(cpus), note);
    }

    private static CpuLayout explicit(String spec, AllowedCpus allowed) {
        Map<String, Integer> cpus = new LinkedHashMap<>();
        for (String rawEntry : spec.split(",", -1)) {
            String entry = rawEntry.strip();
            if (entry.isEmpty()) {
                throw new IllegalArgumentException("cpu layout '" + spec
                    + "': empty entry; separate role=cpu pairs with single commas");
            }
            int equals = entry.indexOf('=');
            if (equals < 0) {
                String hint = entry.equals("auto") || entry.equals("none")
                    ? "'" + entry + "' must stand alone"
                    : "write it as role=cpu, e.g. io=1";
                throw new IllegalArgumentException("cpu layout '" + spec + "': entry '" + entry
                    + "' is not role=cpu; " + hint);
            }
            String role = entry.substring(0, equals).strip();
            checkRole("cpu layout '" + spec + "'", role);
            int cpu = AllowedCpus.cpuNumber("cpu layout", spec, entry.substring(equals + 1).strip());
            if (!allowed.contains(cpu)) {
                throw new IllegalArgumentException("cpu layout '" + spec + "': CPU " + cpu
                    + " is not available to this process (allowed: " + allowed + ")");
            }
            if (cpus.putIfAbsent(role, cpu) != null) {
                throw new IllegalArgumentException("cpu layout '" + spec + "': role '" + role
                    + "' is given twice; keep one " + role + "=cpu entry");
            }
        }
        return new CpuLayout(spec, allowed, Mode.EXPLICIT, inPlanOrder(cpus), null);
    }

    private static Map<String, Integer> inPlanOrder(Map<String, Integer> cpus) {
        Map<String, Integer> ordered = new LinkedHashMap<>();
        cpus.keySet().stream()
            .sorted(Comparator.comparingLong(CpuLayout::planRank))
            .forEach(role -> ordered.put(role, cpus.get(role)));
        return Collections.unmodifiableMap(ordered);
    }

    private static long planRank(String role) {
        int main = MAIN_ROLES.indexOf(role);
        return main >= 0 ? main : MAIN_ROLES.size() + Long.parseLong(role.substring(STAGE_PREFIX.length()));
    }

    /**
     * Throws unless {@code role} is {@code io}, {@code journal}, {@code stages} or {@code stage-N}.
     *
     * @param context how the message starts, e.g. {@code cpu layout 'foo=1'}
     */
    static void checkRole(String context, String role) {
        if (!MAIN_ROLES.contains(role) && !STAGE_N.matcher(role).matches()) {
            throw new IllegalArgumentException(context + ": unknown role '" + role + "' (" + ROLES + ")");
        }
    }

    /**
     * The CPU a thread of {@code role} is pinned to: its own entry, else for {@code stage-N} the
     * {@code stages} entry; empty when it runs unpinned ({@link #unpinnedReason(String)} says why).
     *
     * @throws IllegalArgumentException when {@code role} is not a known role
     */
    public OptionalInt cpuFor(String role) {
        checkRole("cpu layout '" + spec + "'", role);
        Integer cpu = cpuByRole.get(role);
        if (cpu == null && role.startsWith(STAGE_PREFIX)) {
            cpu = cpuByRole.get(STAGES);
        }
        return cpu == null ? OptionalInt.empty() : OptionalInt.of(cpu);
    }

    /**
     * Why {@code role} runs unpinned under this layout, for logs and the plan; empty when
     * {@link #cpuFor(String)} gives it a CPU.
     */
    public String unpinnedReason(String role) {
        if (cpuFor(role).isPresent()) {
            return "";
        }
        return switch (mode) {
            case NONE -> "layout 'none'";
            case AUTO -> autoNote;
            case EXPLICIT -> role.startsWith(STAGE_PREFIX)
                ? "no '" + role + "' or 'stages' entry in layout '" + spec + "'"
                : "no '" + role + "' entry in layout '" + spec + "'";
        };
    }

    /** Whether any role is pinned. */
    public boolean pins() {
        return !cpuByRole.isEmpty();
    }

    /** The spec as given, without surrounding spaces: {@code auto}, {@code none} or the pairs. */
    public String spec() {
        return spec;
    }

    /** The CPUs this layout was validated against. */
    public AllowedCpus allowed() {
        return allowed;
    }

    /**
     * A human-readable plan, one role a line, for startup logs, e.g.
     * <pre>
     * cpu layout 'auto' on 8 allowed CPUs (0-7):
     *   io       CPU 1
     *   journal  CPU 2
     *   stages   CPU 3
     *   stage-N  as stages
     *   CPUs 0,4-7 left to the OS, GC, JIT and unpinned threads
     * </pre>
     */
    public String plan() {
        int n = allowed.count();
        StringBuilder plan = new StringBuilder()
            .append("cpu layout '").append(spec).append("' on ").append(n).append(n == 1 ? " allowed CPU (" : " allowed CPUs (")
            .append(allowed).append("):\n");
        List<String> roles = new ArrayList<>(MAIN_ROLES);
        cpuByRole.keySet().stream().filter(role -> !MAIN_ROLES.contains(role)).forEach(roles::add);
        for (String role : roles) {
            plan.append(String.format("  %-8s %s\n", role, placement(role)));
        }
        if (!cpuByRole.isEmpty()) {
            plan.append(String.format("  %-8s %s\n", "stage-N", cpuByRole.containsKey(STAGES)
                ? "as stages, unless listed above"
                : "unpinned, unless listed above"));
            BitSet pinned = new BitSet();
            cpuByRole.values().forEach(pinned::set);
            String rest = allowed.listWithout(pinned);
            plan.append(rest.isEmpty()
                ? "  no CPU left free: the OS, GC and JIT share the pinned cores\n"
                : "  " + (rest.matches("\\d+") ? "CPU " : "CPUs ") + rest + " left to the OS, GC, JIT and unpinned threads\n");
        }
        return plan.toString();
    }

    private String placement(String role) {
        OptionalInt cpu = cpuFor(role);
        if (cpu.isEmpty()) {
            return "unpinned (" + unpinnedReason(role) + ")";
        }
        String sharedWith = cpuByRole.entrySet().stream()
            .filter(e -> !e.getKey().equals(role) && e.getValue() == cpu.getAsInt())
            .map(Map.Entry::getKey)
            .reduce((a, b) -> a + ", " + b)
            .orElse("");
        return "CPU " + cpu.getAsInt() + (sharedWith.isEmpty() ? "" : " (shared with " + sharedWith + ")");
    }

    /** The spec and what it resolved to, e.g. {@code CpuLayout[auto: io=1, journal=2, stages=3]}. */
    @Override
    public String toString() {
        return "CpuLayout[" + spec + ": " + (cpuByRole.isEmpty() ? "unpinned" : cpuByRole.toString().replaceAll("[{}]", "")) + "]";
    }
}
