package io.ferrite.protocol;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the codec to the protocol page: every frame kind encoded, compared byte for byte with a
 * hex string written by hand from the field tables of docs/protocol.md (little-endian), and read
 * back through its flyweight. Because the server, the client and the test clients all share this
 * codec, these literals are what keeps them honest to the contract rather than to each other.
 */
class GoldenBytesTest {
    private final MemorySegment memory = Arena.ofAuto().allocate(256);

    private String encoded(int bytes) {
        return HexFormat.of().formatHex(memory.asSlice(0, bytes).toArray(ValueLayout.JAVA_BYTE));
    }

    private static String hex(String spaced) {
        return spaced.replace(" ", "");
    }

    @Test
    void hello() {
        int bytes = HelloFrame.write(memory, 0, "tk".getBytes(StandardCharsets.UTF_8), "ab".getBytes(StandardCharsets.UTF_8));
        // length 20 = 4 + 12 + 2 + 2 | kind 0x0001 | flags 0 | version 1 | reserved 0 | tokenLength 2 | "tk" | nameLength 2 | "ab"
        assertThat(encoded(bytes)).isEqualTo(hex("14000000 0100 0000 0100 0000 02000000 746b 02000000 6162"));
        assertThat(HelloFrame.check(memory, 8, bytes - 8)).isNull();
        HelloFrame hello = new HelloFrame().wrap(memory, 8);
        assertThat(hello.version()).isEqualTo(1);
        assertThat(hello.tokenLength()).isEqualTo(2);
        assertThat(hello.name()).isEqualTo("ab");
        assertThat(hello.tokenEquals("tk".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(hello.tokenEquals("tX".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void welcome() {
        int bytes = WelcomeFrame.write(memory, 0, 1 << 20, 0x0102030405060708L);
        assertThat(encoded(bytes)).isEqualTo(hex("14000000 0200 0000 0100 0000 00001000 0807060504030201"));
        WelcomeFrame welcome = new WelcomeFrame().wrap(memory, 8);
        assertThat(welcome.maxFrameLength()).isEqualTo(1 << 20);
        assertThat(welcome.instanceId()).isEqualTo(0x0102030405060708L);
        assertThat(WelcomeFrame.check(memory, 8, 16)).isNull();
    }

    @Test
    void event() {
        int header = EventFrame.writeHeader(memory, 0, 1, 2, 3, 4, 5, 2, 3);
        memory.asSlice(header, 3).copyFrom(MemorySegment.ofArray(new byte[] {(byte) 0xaa, (byte) 0xbb, (byte) 0xcc}));
        // length 47 = 4 + 40 + 3 | kind 0x0010 | flags | correlationId | eventId | key | timestamp | type | priority 2 | reserved | payload
        assertThat(encoded(header + 3)).isEqualTo(hex("2f000000 1000 0000 0100000000000000 0200000000000000"
            + " 0300000000000000 0400000000000000 05000000 02 000000 aabbcc"));
        EventFrame event = new EventFrame().wrap(memory, 8, 43);
        assertThat(event.correlationId()).isEqualTo(1);
        assertThat(event.eventId()).isEqualTo(2);
        assertThat(event.key()).isEqualTo(3);
        assertThat(event.timestampNanos()).isEqualTo(4);
        assertThat(event.type()).isEqualTo(5);
        assertThat(event.priority()).isEqualTo(2);
        assertThat(event.payloadLength()).isEqualTo(3);
        assertThat(EventFrame.check(memory, 8, 43)).isNull();
    }

    @Test
    void ack() {
        int bytes = AckFrame.write(memory, 0, 7, 0x1000000002L);
        assertThat(encoded(bytes)).isEqualTo(hex("14000000 1100 0000 0700000000000000 0200000010000000"));
        AckFrame ack = new AckFrame().wrap(memory, 8);
        assertThat(ack.correlationId()).isEqualTo(7);
        assertThat(ack.journalIndex()).isEqualTo(0x1000000002L);
    }

    @Test
    void reject() {
        int bytes = RejectFrame.write(memory, 0, 9, ErrorCode.OVERLOADED, "no".getBytes(StandardCharsets.UTF_8));
        assertThat(encoded(bytes)).isEqualTo(hex("16000000 1200 0000 0900000000000000 0600 0000 02000000 6e6f"));
        RejectFrame reject = new RejectFrame().wrap(memory, 8);
        assertThat(ErrorCode.of(reject.code())).isEqualTo(ErrorCode.OVERLOADED);
        assertThat(reject.message()).isEqualTo("no");
        assertThat(RejectFrame.check(memory, 8, bytes - 8)).isNull();
    }

    @Test
    void error() {
        int bytes = ErrorFrame.write(memory, 0, ErrorCode.SLOW_CONSUMER, "x".getBytes(StandardCharsets.UTF_8));
        assertThat(encoded(bytes)).isEqualTo(hex("0d000000 1300 0000 0a00 0000 01000000 78"));
        ErrorFrame error = new ErrorFrame().wrap(memory, 8);
        assertThat(ErrorCode.of(error.code())).isEqualTo(ErrorCode.SLOW_CONSUMER);
        assertThat(error.message()).isEqualTo("x");
    }

    @Test
    void pingAndPong() {
        int bytes = PingFrame.write(memory, 0, FrameKind.PING, 0x55);
        assertThat(encoded(bytes)).isEqualTo(hex("0c000000 2000 0000 5500000000000000"));
        bytes = PingFrame.write(memory, 0, FrameKind.PONG, 0x55);
        assertThat(encoded(bytes)).isEqualTo(hex("0c000000 2100 0000 5500000000000000"));
        assertThat(new PingFrame().wrap(memory, 8).nonce()).isEqualTo(0x55);
    }

    @Test
    void everyCodeHasItsNumber() {
        assertThat(ErrorCode.values()).extracting(ErrorCode::code).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(ErrorCode.of(10)).isEqualTo(ErrorCode.SLOW_CONSUMER);
        assertThat(ErrorCode.of(11)).isEqualTo(ErrorCode.CONNECTION_LIMIT);
        assertThat(ErrorCode.of(0)).isNull();
        assertThat(ErrorCode.of(12)).isNull();
    }
}
