/**
 * Engine-core benchmarks (issue 3): Ferrite's embedded publish path end to end, each beside a
 * peer measured the same way in the same run: LMAX Disruptor, an {@code ArrayBlockingQueue}
 * hand-off, and raw Chronicle Queue appends.
 *
 * <h2>How a measurement is made</h2>
 * Every peer is an {@link io.ferrite.bench.engine.EventPipe}: the JMH thread publishes into it,
 * consumer threads (the engine's stages, the Disruptor's processors, a queue or tailer thread)
 * handle each event by adding the sequence number stored in the event's payload to a checksum
 * and counting it in a {@link io.ferrite.bench.engine.HandledCounter}.
 * <ul>
 *   <li>Throughput: one invocation publishes a batch and returns only once the <em>last</em>
 *       consumer has counted every event of it, so the rate is events handled end to end; an op is
 *       one event ({@code @OperationsPerInvocation}). A batch is smaller than every ring, so in-flight
 *       events never exceed it.</li>
 *   <li>Latency: one invocation publishes one event and waits until the consumer has counted it
 *       (JMH {@code SampleTime}): publish → handled → seen by the publisher, a round trip.</li>
 *   <li>At the end of a trial every pipe checks that the consumers handled exactly the events
 *       published, with the checksum of their sequence numbers; a wrong answer fails the run.</li>
 * </ul>
 *
 * <h2>Memory ordering</h2>
 * A {@link io.ferrite.bench.engine.HandledCounter} has one writer, the consumer thread that
 * owns it: it adds to the checksum with plain stores, then publishes the count with a release
 * store ({@code setRelease}). The publisher reads the count with an acquire load
 * ({@code getAcquire}), so once it sees a count it also sees the checksum as of that count. The
 * peers' own hand-offs (Disruptor sequences, the queue's lock, Chronicle's document headers) order
 * the event bytes; the engine's are described in {@code io.ferrite.engine.journal}.
 */
package io.ferrite.bench.engine;
