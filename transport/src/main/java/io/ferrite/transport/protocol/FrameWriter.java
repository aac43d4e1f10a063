package io.ferrite.transport.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Appends FWP/1 frames to a {@link ByteBuf}, little-endian. The fixed-size frames (WELCOME, ACK,
 * PING, PONG, EVENT headers) write no temporary objects; messages are written from byte arrays the
 * caller keeps (control path).
 *
 * <p>Thread-safety: stateless.
 */
public final class FrameWriter {
    private FrameWriter() {
    }

    public static void hello(ByteBuf out, byte[] token, byte[] clientName) {
        header(out, Frames.HELLO_MIN_BODY + token.length + clientName.length, Frames.HELLO);
        out.writeShortLE(Frames.VERSION).writeShortLE(0);
        out.writeIntLE(token.length).writeBytes(token);
        out.writeIntLE(clientName.length).writeBytes(clientName);
    }

    public static void welcome(ByteBuf out, int maxFrameLength, long instanceId) {
        header(out, Frames.WELCOME_BODY, Frames.WELCOME);
        out.writeShortLE(Frames.VERSION).writeShortLE(0).writeIntLE(maxFrameLength).writeLongLE(instanceId);
    }

    /** The EVENT header; the caller writes {@code payloadLength} payload bytes right after. */
    public static void eventHeader(ByteBuf out, long correlationId, long eventId, long key, long timestampNanos,
                                   int type, int priority, int payloadLength) {
        header(out, Frames.EVENT_HEADER_LENGTH + payloadLength, Frames.EVENT);
        out.writeLongLE(correlationId).writeLongLE(eventId).writeLongLE(key).writeLongLE(timestampNanos)
            .writeIntLE(type).writeIntLE(priority & 0xFF);
    }

    public static void ack(ByteBuf out, long correlationId, long journalIndex) {
        header(out, Frames.ACK_BODY, Frames.ACK);
        out.writeLongLE(correlationId).writeLongLE(journalIndex);
    }

    public static void reject(ByteBuf out, long correlationId, ErrorCode code, byte[] message) {
        header(out, Frames.REJECT_MIN_BODY + message.length, Frames.REJECT);
        out.writeLongLE(correlationId).writeShortLE(code.code()).writeShortLE(0).writeIntLE(message.length)
            .writeBytes(message);
    }

    public static void error(ByteBuf out, ErrorCode code, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        header(out, Frames.ERROR_MIN_BODY + text.length, Frames.ERROR);
        out.writeShortLE(code.code()).writeShortLE(0).writeIntLE(text.length).writeBytes(text);
    }

    public static void ping(ByteBuf out, long nonce) {
        header(out, Frames.PING_BODY, Frames.PING);
        out.writeLongLE(nonce);
    }

    public static void pong(ByteBuf out, long nonce) {
        header(out, Frames.PING_BODY, Frames.PONG);
        out.writeLongLE(nonce);
    }

    /** Bytes a frame with a body of {@code bodyLength} takes on the wire. */
    public static int frameSize(int bodyLength) {
        return Frames.LENGTH_FIELD_SIZE + Frames.MIN_LENGTH + bodyLength;
    }

    private static void header(ByteBuf out, int bodyLength, int kind) {
        out.writeIntLE(Frames.MIN_LENGTH + bodyLength).writeShortLE(kind).writeShortLE(0);
    }
}
