/**
 * The Apache Kafka peer: a single KRaft broker started in the bench JVM on 127.0.0.1 in a
 * temporary directory, and a producer of 64-byte records.
 */
package io.ferrite.bench.kafka;
