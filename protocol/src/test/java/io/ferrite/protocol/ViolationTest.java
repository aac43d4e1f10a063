package io.ferrite.protocol;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Each way a frame can break FWP/1 gets the code the protocol names for it. */
class ViolationTest {
    private final MemorySegment memory = Arena.ofAuto().allocate(256);

    @Test
    void lengthBelowFourIsMalformedAndAboveTheMaximumTooLarge() {
        assertThat(FrameHeader.checkLength(3, 1024).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(FrameHeader.checkLength(1025, 1024).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(FrameHeader.checkLength(4, 1024)).isNull();
        assertThat(FrameHeader.checkLength(1024, 1024)).isNull();
    }

    @Test
    void nonZeroFlagsAreAViolation() {
        FrameHeader.write(memory, 0, FrameKind.PING, 8);
        memory.set(Wire.U16, FrameHeader.FLAGS_OFFSET, (short) 1);
        assertThat(new FrameHeader().wrap(memory, 0).checkFlags().code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
    }

    @Test
    void helloFaultsInOrder() {
        byte[] name = "n".getBytes(StandardCharsets.UTF_8);
        int bytes = HelloFrame.write(memory, 0, new byte[0], name);
        int body = bytes - 8;
        assertThat(HelloFrame.check(memory, 8, 11).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(HelloFrame.check(memory, 8, body + 1).code()).isEqualTo(ErrorCode.MALFORMED_FRAME); // lengths
        memory.set(Wire.U32, 8 + HelloFrame.TOKEN_LENGTH_OFFSET, 1000);
        assertThat(HelloFrame.check(memory, 8, body).message()).contains("overruns");
        HelloFrame.write(memory, 0, new byte[0], new byte[] {(byte) 0xff});
        assertThat(HelloFrame.check(memory, 8, body).message()).contains("UTF-8");
        HelloFrame.write(memory, 0, new byte[0], name);
        memory.set(Wire.U16, 8 + HelloFrame.RESERVED_OFFSET, (short) 1);
        assertThat(HelloFrame.check(memory, 8, body).code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
        HelloFrame.write(memory, 0, new byte[0], name);
        memory.set(Wire.U16, 8 + HelloFrame.VERSION_OFFSET, (short) 2);
        assertThat(HelloFrame.check(memory, 8, body).code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
    }

    @Test
    void eventShortBodyIsMalformedAndReservedBytesAViolation() {
        EventFrame.writeHeader(memory, 0, 1, 1, 1, 0, 1, 0, 0);
        assertThat(EventFrame.check(memory, 8, 39).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(EventFrame.check(memory, 8, 40)).isNull();
        for (int at = 0; at < EventFrame.RESERVED_LENGTH; at++) {
            EventFrame.writeHeader(memory, 0, 1, 1, 1, 0, 1, 0, 0);
            memory.set(ValueLayout.JAVA_BYTE, 8 + EventFrame.RESERVED_OFFSET + at, (byte) 1);
            assertThat(EventFrame.check(memory, 8, 40).code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
        }
    }

    @Test
    void priorityAboveThreeIsInvalid() {
        assertThat(EventFrame.isValidPriority(0)).isTrue();
        assertThat(EventFrame.isValidPriority(3)).isTrue();
        assertThat(EventFrame.isValidPriority(4)).isFalse();
        assertThat(EventFrame.isValidPriority(-1)).isFalse();
    }

    @Test
    void fixedSizeBodies() {
        assertThat(PingFrame.check(FrameKind.PING, 7).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(PingFrame.check(FrameKind.PONG, 8)).isNull();
        assertThat(AckFrame.check(15).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(WelcomeFrame.check(memory, 8, 17).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void messagesMustFitTheirBodies() {
        int bytes = RejectFrame.write(memory, 0, 1, ErrorCode.OVERLOADED, new byte[] {'a', 'b'});
        assertThat(RejectFrame.check(memory, 8, bytes - 9).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(RejectFrame.check(memory, 8, 15).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        bytes = ErrorFrame.write(memory, 0, ErrorCode.OVERLOADED, new byte[] {'a'});
        assertThat(ErrorFrame.check(memory, 8, bytes - 8)).isNull();
        assertThat(ErrorFrame.check(memory, 8, bytes - 7).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }
}
