package io.ferrite.affinity;

/**
 * {@code bin/ferrite cpus [LAYOUT]}: prints which core each role would get under a layout on this
 * machine, and why; a bad layout prints what to fix and exits with status 2.
 */
public final class CpuPlan {
    private CpuPlan() {
    }

    public static void main(String[] args) {
        String spec = args.length == 0 ? "auto" : args[0];
        try {
            System.out.println(CpuLayout.parse(spec).plan());
        } catch (IllegalArgumentException e) {
            System.err.println("ferrite cpus: " + e.getMessage());
            System.exit(2);
        }
    }
}
