/**
 * CPU affinity by role. A {@link io.ferrite.affinity.CpuLayout} is parsed once from a spec
 * ({@code auto}, {@code none} or {@code io=1,journal=2,stages=3}) and checked against
 * {@link io.ferrite.affinity.AllowedCpus}, the CPUs this process may use; a
 * {@link io.ferrite.affinity.PinningThreadFactory} per role applies it to the threads a runner
 * starts and records a {@link io.ferrite.affinity.PinResult} for each. Stages never learn which
 * core they run on.
 *
 * <p>Thread-safety: layouts, CPU sets and results are immutable; factories are safe from any
 * thread. Everything here is control path and may allocate.
 */
package io.ferrite.affinity;
