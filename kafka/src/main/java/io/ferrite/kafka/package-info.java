/**
 * Ferrite beyond one machine, on Apache Kafka. A node joins a consumer group ({@link KafkaLanes});
 * each partition Kafka assigns it becomes a {@link Lane} — its own journal directory, dedup window
 * and stage chain, fed in offset order from that partition — whose {@link LaneOutput} produces the
 * outputs and commits the input offsets, in one Kafka transaction ({@link Guarantee#EXACTLY_ONCE})
 * or after the outputs are acknowledged ({@link Guarantee#AT_LEAST_ONCE}). {@link KafkaRelay} is
 * the other direction: a stage that forwards a server's accepted events to a topic.
 *
 * <p>Path of a record: consumer thread ({@code poll}) → {@link RecordMapping} → the lane's engine
 * (dedup, journal) → the pipeline's stages → {@link LaneOutput} (produce, commit).
 */
package io.ferrite.kafka;
