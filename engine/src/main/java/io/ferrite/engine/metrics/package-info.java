/**
 * Measurement hooks: per-stage counters and latency recorders that record without allocating.
 * Full metrics (Prometheus, health, alerts) build on these.
 *
 * <p>Memory ordering: every counter has one writer, which publishes with a release store; readers
 * load with acquire, so a reader that sees a count also sees the work it counts.
 */
package io.ferrite.engine.metrics;
