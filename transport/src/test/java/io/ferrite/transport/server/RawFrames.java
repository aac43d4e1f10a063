package io.ferrite.transport.server;

import io.ferrite.transport.protocol.Frames;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Test helper: FWP/1 frames as plain byte arrays, built field by field from PROTOCOL.md, so a
 * test can send any frame, legal or not. Deliberately independent of the server's
 * {@code FrameWriter}: a test that used it would only prove the server agrees with itself.
 *
 * <pre>
 *  0        4      6      8
 *  +--------+------+------+-----------------
 *  | length | kind | flags| body (length - 4)
 *  +--------+------+------+-----------------
 * </pre>
 *
 * <p>Thread-safety: stateless.
 */
final class RawFrames {
    static final byte[] NO_TOKEN = new byte[0];
    static final byte[] TEST_NAME = "server-test".getBytes(StandardCharsets.UTF_8);

    private RawFrames() {
    }

    /** A frame with a correct length field. */
    static byte[] frame(int kind, int flags, byte[] body) {
        return frameWithLength(4L + body.length, kind, flags, body);
    }

    /** A frame whose length field says {@code lengthField} whatever the body really is (u32). */
    static byte[] frameWithLength(long lengthField, int kind, int flags, byte[] body) {
        return le(8 + body.length).putInt((int) lengthField).putShort((short) kind).putShort((short) flags)
            .put(body).array();
    }

    /** Only the 8 header bytes of a frame claiming {@code lengthField} bytes. */
    static byte[] headerOnly(long lengthField, int kind) {
        return le(8).putInt((int) lengthField).putShort((short) kind).putShort((short) 0).array();
    }

    static byte[] hello() {
        return hello(NO_TOKEN);
    }

    static byte[] hello(byte[] token) {
        return frame(Frames.HELLO, 0, helloBody(Frames.VERSION, 0, token, TEST_NAME));
    }

    static byte[] helloBody(int version, int reserved, byte[] token, byte[] name) {
        return helloBody(version, reserved, token.length, token, name.length, name);
    }

    /** A HELLO body with free-standing length fields (for lengths that do not add up). */
    static byte[] helloBody(int version, int reserved, long tokenLength, byte[] token, long nameLength, byte[] name) {
        return le(12 + token.length + name.length).putShort((short) version).putShort((short) reserved)
            .putInt((int) tokenLength).put(token).putInt((int) nameLength).put(name).array();
    }

    /** A legal EVENT: priority 0..3 (not checked here), timestamp 0, type 1, reserved 0. */
    static byte[] event(long correlationId, long eventId, long key, int priority, byte[] payload) {
        return frame(Frames.EVENT, 0, eventBody(correlationId, eventId, key, 0L, 1, priority, 0, payload));
    }

    static byte[] event(long correlationId, long eventId, long key) {
        return event(correlationId, eventId, key, 0, payloadFor(correlationId));
    }

    /**
     * An EVENT body; {@code reserved} is written little-endian into the 3 reserved bytes.
     */
    static byte[] eventBody(long correlationId, long eventId, long key, long timestampNanos, int type, int priority,
                            int reserved, byte[] payload) {
        return le(40 + payload.length).putLong(correlationId).putLong(eventId).putLong(key).putLong(timestampNanos)
            .putInt(type).put((byte) priority).put((byte) reserved).put((byte) (reserved >>> 8))
            .put((byte) (reserved >>> 16)).put(payload).array();
    }

    /** {@code count} legal EVENTs with correlationIds {@code first..first+count-1}, eventId = correlationId + offset. */
    static byte[] events(long firstCorrelationId, int count, long eventIdOffset, long key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(count * 64);
        for (int i = 0; i < count; i++) {
            long correlationId = firstCorrelationId + i;
            long eventId = eventIdOffset == 0 ? 0 : correlationId + eventIdOffset;
            out.writeBytes(event(correlationId, eventId, key));
        }
        return out.toByteArray();
    }

    /** An 8-byte payload holding the correlationId, so a stage can check what it got. */
    static byte[] payloadFor(long correlationId) {
        return le(8).putLong(correlationId).array();
    }

    static byte[] ping(long nonce) {
        return frame(Frames.PING, 0, le(8).putLong(nonce).array());
    }

    static byte[] pong(long nonce) {
        return frame(Frames.PONG, 0, le(8).putLong(nonce).array());
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }
}
