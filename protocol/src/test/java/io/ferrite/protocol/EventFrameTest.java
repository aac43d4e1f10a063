package io.ferrite.protocol;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventFrameTest {

    @Test
    void readsAnEventBodyLaidOutAsProtocolMdSays() {
        byte[] payload = "hello".getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(7 + 40 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        body.position(7); // an odd offset: the flyweight must not assume alignment
        body.putLong(11L).putLong(22L).putLong(-33L).putLong(44L).putInt(0xFFFF_FFFE).put((byte) 3)
            .put(new byte[3]).put(payload);

        EventFrame event = new EventFrame().wrap(MemorySegment.ofArray(body.array()), 7, 40 + payload.length);

        assertThat(event.correlationId()).isEqualTo(11L);
        assertThat(event.eventId()).isEqualTo(22L);
        assertThat(event.key()).isEqualTo(-33L);
        assertThat(event.timestampNanos()).isEqualTo(44L);
        assertThat(Integer.toUnsignedLong(event.type())).isEqualTo(0xFFFF_FFFEL);
        assertThat(event.priority()).isEqualTo(3);
        assertThat(event.reservedIsZero()).isTrue();
        assertThat(event.payloadOffset()).isEqualTo(47);
        assertThat(event.payloadLength()).isEqualTo(payload.length);
        byte[] copied = new byte[payload.length];
        event.copyPayloadTo(MemorySegment.ofArray(copied), 0);
        assertThat(new String(copied, StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void writesFieldsInPlaceAtTheirProtocolOffsets() {
        byte[] bytes = new byte[48];
        new EventFrame().wrap(MemorySegment.ofArray(bytes), 0, 48)
            .correlationId(1).eventId(2).key(3).timestampNanos(4).type(5).priority(2).clearReserved();
        ByteBuffer read = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(read.getLong(EventFrame.CORRELATION_ID_OFFSET)).isEqualTo(1);
        assertThat(read.getLong(EventFrame.EVENT_ID_OFFSET)).isEqualTo(2);
        assertThat(read.getLong(EventFrame.KEY_OFFSET)).isEqualTo(3);
        assertThat(read.getLong(EventFrame.TIMESTAMP_OFFSET)).isEqualTo(4);
        assertThat(read.getInt(EventFrame.TYPE_OFFSET)).isEqualTo(5);
        assertThat(read.get(EventFrame.PRIORITY_OFFSET)).isEqualTo((byte) 2);
    }

    @Test
    void detectsNonZeroReservedBytes() {
        for (int i = 0; i < EventFrame.RESERVED_LENGTH; i++) {
            byte[] bytes = new byte[40];
            bytes[EventFrame.RESERVED_OFFSET + i] = 1;
            assertThat(new EventFrame().wrap(MemorySegment.ofArray(bytes), 0, 40).reservedIsZero())
                .as("reserved byte %d", i).isFalse();
        }
    }

    @Test
    void oneFlyweightIsRewrappedOverManyEvents() {
        byte[] bytes = new byte[40 * 3];
        MemorySegment memory = MemorySegment.ofArray(bytes);
        EventFrame event = new EventFrame();
        for (int i = 0; i < 3; i++) {
            event.wrap(memory, 40L * i, 40).key(100 + i);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(event.wrap(memory, 40L * i, 40).key()).isEqualTo(100 + i);
            assertThat(event.payloadLength()).isZero();
        }
    }

    @Test
    void refusesViewsShorterThanTheHeaderOrOutsideTheSegment() {
        MemorySegment memory = MemorySegment.ofArray(new byte[64]);
        assertThatThrownBy(() -> new EventFrame().wrap(memory, 0, 39))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("40-byte header");
        assertThatThrownBy(() -> new EventFrame().wrap(memory, 30, 40))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
