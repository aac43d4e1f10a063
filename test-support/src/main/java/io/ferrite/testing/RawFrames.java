package io.ferrite.testing;

import io.ferrite.protocol.AckFrame;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.ErrorFrame;
import io.ferrite.protocol.EventFrame;
import io.ferrite.protocol.FrameHeader;
import io.ferrite.protocol.FrameKind;
import io.ferrite.protocol.HelloFrame;
import io.ferrite.protocol.PingFrame;
import io.ferrite.protocol.RejectFrame;
import io.ferrite.protocol.WelcomeFrame;
import io.ferrite.protocol.Wire;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Test helper: FWP/1 frames as plain byte arrays, so a test can send any frame, legal or not.
 * Legal frames are encoded with the protocol module's codec (whose golden-bytes test pins it to
 * the protocol page); broken ones take a legal frame and overwrite the field a test wants wrong,
 * or lay the bytes out by hand where the lengths themselves must lie.
 *
 * <p>Thread-safety: stateless.
 */
public final class RawFrames {
    public static final byte[] NO_TOKEN = new byte[0];
    public static final byte[] TEST_NAME = "server-test".getBytes(StandardCharsets.UTF_8);

    private RawFrames() {
    }

    /** A frame of {@code kind} with a correct length field, the given flags and body. */
    public static byte[] frame(int kind, int flags, byte[] body) {
        byte[] frame = new byte[FrameHeader.frameBytes(body.length)];
        MemorySegment memory = MemorySegment.ofArray(frame);
        FrameHeader.write(memory, 0, kind, body.length);
        memory.set(Wire.U16, FrameHeader.FLAGS_OFFSET, (short) flags);
        System.arraycopy(body, 0, frame, FrameHeader.BODY_OFFSET, body.length);
        return frame;
    }

    /** A frame whose length field says {@code lengthField} whatever the body really is (u32). */
    public static byte[] frameWithLength(long lengthField, int kind, int flags, byte[] body) {
        byte[] frame = frame(kind, flags, body);
        MemorySegment.ofArray(frame).set(Wire.U32, FrameHeader.LENGTH_OFFSET, (int) lengthField);
        return frame;
    }

    /** Only the 8 header bytes of a frame claiming {@code lengthField} bytes. */
    public static byte[] headerOnly(long lengthField, int kind) {
        return frameWithLength(lengthField, kind, 0, new byte[0]);
    }

    public static byte[] hello() {
        return hello(NO_TOKEN);
    }

    public static byte[] hello(byte[] token) {
        byte[] frame = new byte[HelloFrame.frameBytes(token.length, TEST_NAME.length)];
        HelloFrame.write(MemorySegment.ofArray(frame), 0, token, TEST_NAME);
        return frame;
    }

    public static byte[] helloBody(int version, int reserved, byte[] token, byte[] name) {
        return helloBody(version, reserved, token.length, token, name.length, name);
    }

    /** A HELLO body with free-standing length fields (for lengths that do not add up). */
    public static byte[] helloBody(int version, int reserved, long tokenLength, byte[] token, long nameLength,
                                   byte[] name) {
        return le(HelloFrame.MIN_BODY_LENGTH + token.length + name.length).putShort((short) version)
            .putShort((short) reserved).putInt((int) tokenLength).put(token).putInt((int) nameLength).put(name).array();
    }

    /** A legal EVENT: priority as given (not checked here), timestamp 0, type 1, reserved 0. */
    public static byte[] event(long correlationId, long eventId, long key, int priority, byte[] payload) {
        return frame(FrameKind.EVENT, 0, eventBody(correlationId, eventId, key, 0L, 1, priority, 0, payload));
    }

    public static byte[] event(long correlationId, long eventId, long key) {
        return event(correlationId, eventId, key, 0, payloadFor(correlationId));
    }

    /** An EVENT body; {@code reserved} is written little-endian into the 3 reserved bytes. */
    public static byte[] eventBody(long correlationId, long eventId, long key, long timestampNanos, int type,
                                   int priority, int reserved, byte[] payload) {
        byte[] body = new byte[EventFrame.HEADER_LENGTH + payload.length];
        MemorySegment memory = MemorySegment.ofArray(body);
        EventFrame.writeBody(memory, 0, correlationId, eventId, key, timestampNanos, type, priority);
        memory.set(Wire.U16, EventFrame.RESERVED_OFFSET, (short) reserved);
        body[EventFrame.RESERVED_OFFSET + 2] = (byte) (reserved >>> 16);
        System.arraycopy(payload, 0, body, EventFrame.HEADER_LENGTH, payload.length);
        return body;
    }

    /** {@code count} legal EVENTs with correlationIds {@code first..first+count-1}, eventId = correlationId + offset. */
    public static byte[] events(long firstCorrelationId, int count, long eventIdOffset, long key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(count * 64);
        for (int i = 0; i < count; i++) {
            long correlationId = firstCorrelationId + i;
            long eventId = eventIdOffset == 0 ? 0 : correlationId + eventIdOffset;
            out.writeBytes(event(correlationId, eventId, key));
        }
        return out.toByteArray();
    }

    /** An 8-byte payload holding the correlationId, so a stage can check what it got. */
    public static byte[] payloadFor(long correlationId) {
        return le(8).putLong(correlationId).array();
    }

    public static byte[] welcome(int maxFrameLength, long instanceId) {
        byte[] frame = new byte[WelcomeFrame.FRAME_BYTES];
        WelcomeFrame.write(MemorySegment.ofArray(frame), 0, maxFrameLength, instanceId);
        return frame;
    }

    public static byte[] ack(long correlationId, long journalIndex) {
        byte[] frame = new byte[AckFrame.FRAME_BYTES];
        AckFrame.write(MemorySegment.ofArray(frame), 0, correlationId, journalIndex);
        return frame;
    }

    public static byte[] reject(long correlationId, ErrorCode code, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[RejectFrame.frameBytes(text.length)];
        RejectFrame.write(MemorySegment.ofArray(frame), 0, correlationId, code, text);
        return frame;
    }

    public static byte[] error(ErrorCode code, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[ErrorFrame.frameBytes(text.length)];
        ErrorFrame.write(MemorySegment.ofArray(frame), 0, code, text);
        return frame;
    }

    public static byte[] ping(long nonce) {
        return pingOrPong(FrameKind.PING, nonce);
    }

    public static byte[] pong(long nonce) {
        return pingOrPong(FrameKind.PONG, nonce);
    }

    private static byte[] pingOrPong(int kind, long nonce) {
        byte[] frame = new byte[PingFrame.FRAME_BYTES];
        PingFrame.write(MemorySegment.ofArray(frame), 0, kind, nonce);
        return frame;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A little-endian buffer of {@code capacity} bytes. */
    public static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Reads one whole frame from a blocking stream (a fake peer's side of a socket).
     *
     * @throws EOFException when the stream ends before a whole frame
     */
    public static RawFrame read(DataInputStream in) throws IOException {
        byte[] header = new byte[FrameHeader.HEADER_LENGTH];
        in.readFully(header);
        FrameHeader frame = new FrameHeader().wrap(MemorySegment.ofArray(header), 0);
        long length = frame.length();
        if (length < FrameHeader.MIN_LENGTH || length > 1 << 26) {
            throw new IOException("a frame length of " + length);
        }
        byte[] body = new byte[frame.bodyLength()];
        in.readFully(body);
        return new RawFrame(frame.kind(), frame.flags(), body);
    }
}
