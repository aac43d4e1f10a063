package io.ferrite.kafka;

import io.ferrite.engine.EventView;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * How a Kafka record becomes a Ferrite event, and back. One place, used by the lanes (in), their
 * outputs and the relay (out):
 * <ul>
 *   <li><b>eventId</b>: header {@value #EVENT_ID} (8 bytes, big-endian) when present and non-zero;
 *       else derived from where the record sits, {@code (partition + 1) << 40 | offset}, so a record
 *       read twice (after a rebalance) has the same id;</li>
 *   <li><b>key</b>: an 8-byte record key as a big-endian long; a key of decimal digits as that
 *       number; any other key as its 64-bit FNV-1a hash; no key: 0;</li>
 *   <li><b>type</b>: header {@value #TYPE} (4 bytes, big-endian), else the lane's default type;</li>
 *   <li><b>timestamp</b>: the record's timestamp (milliseconds) as nanoseconds.</li>
 * </ul>
 *
 * <p>Thread-safety: stateless.
 */
public final class RecordMapping {
    /** The header carrying the eventId (8 bytes, big-endian). */
    public static final String EVENT_ID = "ferrite-event-id";
    /** The header carrying the event type (4 bytes, big-endian). */
    public static final String TYPE = "ferrite-type";
    /** On outputs: where the input was, {@code TOPIC-PARTITION@OFFSET} (UTF-8). */
    public static final String SOURCE = "ferrite-source";
    /** Big-endian views of byte arrays: headers and keys are read without wrapping them in a buffer. */
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final int OFFSET_BITS = 40;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private RecordMapping() {
    }

    /** The eventId of the record at {@code partition}/{@code offset} with these headers. */
    public static long eventId(Headers headers, int partition, long offset) {
        Header header = headers.lastHeader(EVENT_ID);
        if (header != null && header.value() != null && header.value().length == Long.BYTES) {
            long id = (long) LONG.get(header.value(), 0);
            if (id != 0) {
                return id;
            }
        }
        return derivedEventId(partition, offset);
    }

    /** {@code (partition + 1) << 40 | offset}: unique per record for partitions below 2^23 and offsets below 2^40. */
    public static long derivedEventId(int partition, long offset) {
        return ((long) (partition + 1) << OFFSET_BITS) | (offset & ((1L << OFFSET_BITS) - 1));
    }

    /** The Ferrite key of a record key, as the class javadoc says. */
    public static long key(byte[] recordKey) {
        if (recordKey == null || recordKey.length == 0) {
            return 0;
        }
        if (recordKey.length == Long.BYTES) {
            return (long) LONG.get(recordKey, 0);
        }
        long decimal = decimal(recordKey);
        if (decimal >= 0) {
            return decimal;
        }
        long hash = FNV_OFFSET;
        for (byte b : recordKey) {
            hash = (hash ^ (b & 0xff)) * FNV_PRIME;
        }
        return hash;
    }

    /** The type header's value, or {@code fallback}. */
    public static int type(Headers headers, int fallback) {
        Header header = headers.lastHeader(TYPE);
        if (header == null || header.value() == null || header.value().length != Integer.BYTES) {
            return fallback;
        }
        return (int) INT.get(header.value(), 0);
    }

    /**
     * The record an event becomes on its way out: key = the event's key as 8 big-endian bytes, value =
     * the payload, headers {@value #EVENT_ID}, {@value #TYPE} and, when given, {@value #SOURCE}.
     */
    public static ProducerRecord<byte[], byte[]> output(String topic, EventView event, byte[] source) {
        byte[] value = new byte[event.payloadLength()];
        MemorySegment.copy(event.memory(), ValueLayout.JAVA_BYTE, event.payloadOffset(), value, 0, value.length);
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader(EVENT_ID, longBytes(event.eventId())));
        headers.add(new RecordHeader(TYPE, intBytes(event.type())));
        if (source != null) {
            headers.add(new RecordHeader(SOURCE, source));
        }
        return new ProducerRecord<>(topic, null, longBytes(event.key()), value, headers);
    }

    /** A long as 8 big-endian bytes (output keys and eventId headers). */
    public static byte[] longBytes(long value) {
        byte[] bytes = new byte[Long.BYTES];
        LONG.set(bytes, 0, value);
        return bytes;
    }

    /** An int as 4 big-endian bytes (type headers). */
    public static byte[] intBytes(int value) {
        byte[] bytes = new byte[Integer.BYTES];
        INT.set(bytes, 0, value);
        return bytes;
    }

    /** {@code TOPIC-PARTITION@OFFSET} as UTF-8. */
    public static byte[] source(String topic, int partition, long offset) {
        return (topic + '-' + partition + '@' + offset).getBytes(StandardCharsets.UTF_8);
    }

    /** The value of 1 to 18 ASCII digits, or -1. */
    private static long decimal(byte[] bytes) {
        if (bytes.length > 18) {
            return -1;
        }
        long value = 0;
        for (byte b : bytes) {
            if (b < '0' || b > '9') {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }
}
