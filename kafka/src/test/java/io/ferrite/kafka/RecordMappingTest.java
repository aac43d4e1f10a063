package io.ferrite.kafka;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RecordMappingTest {
    @Test
    void theEventIdComesFromItsHeaderElseFromWhereTheRecordSits() {
        RecordHeaders headers = new RecordHeaders();
        assertThat(RecordMapping.eventId(headers, 3, 77)).isEqualTo((4L << 40) | 77);
        assertThat(RecordMapping.eventId(headers, 0, 0)).isNotZero();
        headers.add(RecordMapping.EVENT_ID, RecordMapping.longBytes(0)); // zero means none
        assertThat(RecordMapping.eventId(headers, 3, 77)).isEqualTo((4L << 40) | 77);
        headers.add(RecordMapping.EVENT_ID, RecordMapping.longBytes(123456789L));
        assertThat(RecordMapping.eventId(headers, 3, 77)).isEqualTo(123456789L);
        headers.add(RecordMapping.EVENT_ID, new byte[3]); // malformed: derived
        assertThat(RecordMapping.eventId(headers, 3, 77)).isEqualTo((4L << 40) | 77);
    }

    @Test
    void keysAreEightBytesOrDigitsOrAHash() {
        assertThat(RecordMapping.key(null)).isZero();
        assertThat(RecordMapping.key(RecordMapping.longBytes(-5))).isEqualTo(-5);
        assertThat(RecordMapping.key("4711".getBytes(StandardCharsets.US_ASCII))).isEqualTo(4711);
        long hashed = RecordMapping.key("user-1".getBytes(StandardCharsets.UTF_8));
        assertThat(hashed).isEqualTo(RecordMapping.key("user-1".getBytes(StandardCharsets.UTF_8)))
            .isNotEqualTo(RecordMapping.key("user-2".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theTypeHeaderOverridesTheDefault() {
        RecordHeaders headers = new RecordHeaders();
        assertThat(RecordMapping.type(headers, 9)).isEqualTo(9);
        headers.add(RecordMapping.TYPE, RecordMapping.intBytes(42));
        assertThat(RecordMapping.type(headers, 9)).isEqualTo(42);
    }
}
