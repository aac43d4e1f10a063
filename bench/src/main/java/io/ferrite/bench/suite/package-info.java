/**
 * {@code ferrite bench}'s core: a {@link io.ferrite.bench.suite.Scenario} is opened, warmed up,
 * run for N trials and closed by the {@link io.ferrite.bench.suite.SuiteRunner} on one thread;
 * results are immutable records. Cross-thread reads are limited to progress counters sampled by
 * {@link io.ferrite.bench.suite.Sampler}: writers publish them with a release store (or
 * {@code lazySet}), the sampler reads with an acquire load.
 */
package io.ferrite.bench.suite;
