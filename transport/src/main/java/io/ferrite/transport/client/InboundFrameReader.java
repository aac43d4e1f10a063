package io.ferrite.transport.client;

import io.ferrite.transport.protocol.ErrorCode;
import io.ferrite.transport.protocol.Frames;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Reads a connection's server frames (ACK, REJECT, ERROR, PING, PONG) in place from one direct
 * buffer and hands their fields to a {@link Handler}; no object per ACK. A frame larger than the
 * buffer grows it (only long REJECT or ERROR messages can).
 *
 * <p>Thread-safety: single-threaded; owned by the client's reader thread.
 */
final class InboundFrameReader {
    private static final int INITIAL_BYTES = 64 * 1024;

    /** What the frames mean to the client. Each method returns null to read on, or why the connection must end. */
    interface Handler {
        String onAck(long correlationId, long journalIndex);

        /** @param code null for a code FWP/1 does not define */
        String onReject(long correlationId, ErrorCode code, String message);

        String onError(ErrorCode code, String message);

        String onPing(long nonce);
    }

    private final Handler handler;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(INITIAL_BYTES).order(ByteOrder.LITTLE_ENDIAN);

    InboundFrameReader(Handler handler) {
        this.handler = handler;
    }

    /**
     * Reads and handles frames until the connection ends.
     *
     * @param maxFrameLength the largest length value accepted (the server's own limit)
     * @return why it ended
     */
    String read(SocketChannel channel, int maxFrameLength) {
        buffer.clear();
        try {
            while (true) {
                if (channel.read(buffer) < 0) {
                    return "the server closed the connection";
                }
                buffer.flip();
                String problem = handleFrames(buffer, maxFrameLength);
                if (problem != null) {
                    return problem;
                }
                buffer.compact();
            }
        } catch (IOException e) {
            return "I/O error: " + e.getMessage();
        }
    }

    /** Handles every whole frame in {@code in}; returns null, or why the connection must end. */
    private String handleFrames(ByteBuffer in, int maxFrameLength) {
        while (in.remaining() >= Frames.LENGTH_FIELD_SIZE) {
            int start = in.position();
            long length = Integer.toUnsignedLong(in.getInt(start));
            if (length < Frames.MIN_LENGTH || length > Math.max(maxFrameLength, Frames.DEFAULT_MAX_FRAME_LENGTH)) {
                return "the server sent a frame of length " + length;
            }
            int frameBytes = Frames.LENGTH_FIELD_SIZE + (int) length;
            if (in.remaining() < frameBytes) {
                if (frameBytes > in.capacity()) {
                    grow(in, frameBytes);
                }
                return null;
            }
            int kind = Short.toUnsignedInt(in.getShort(start + Frames.KIND_OFFSET));
            int body = start + Frames.BODY_OFFSET;
            int bodyLength = (int) length - Frames.MIN_LENGTH;
            String problem = switch (kind) {
                case Frames.ACK -> bodyLength != Frames.ACK_BODY ? malformed("ACK", bodyLength)
                    : handler.onAck(in.getLong(body), in.getLong(body + 8));
                case Frames.REJECT -> bodyLength < Frames.REJECT_MIN_BODY ? malformed("REJECT", bodyLength)
                    : handler.onReject(in.getLong(body), ErrorCode.of(Short.toUnsignedInt(in.getShort(body + 8))),
                        text(in, body + 12, bodyLength - 12));
                case Frames.ERROR -> bodyLength < Frames.ERROR_MIN_BODY ? malformed("ERROR", bodyLength)
                    : handler.onError(ErrorCode.of(Short.toUnsignedInt(in.getShort(body))),
                        text(in, body + 4, bodyLength - 4));
                case Frames.PING -> bodyLength != Frames.PING_BODY ? malformed("PING", bodyLength)
                    : handler.onPing(in.getLong(body));
                case Frames.PONG -> null; // this client sends no PING; a PONG needs no answer
                default -> "unexpected frame " + Frames.kindName(kind) + " from the server";
            };
            if (problem != null) {
                return problem;
            }
            in.position(start + frameBytes);
        }
        return null;
    }

    /** Moves the partial frame into a buffer large enough for it; {@code in} is left empty. */
    private void grow(ByteBuffer in, int frameBytes) {
        ByteBuffer bigger = ByteBuffer.allocateDirect(Integer.highestOneBit(frameBytes - 1) << 1)
            .order(ByteOrder.LITTLE_ENDIAN);
        bigger.put(in);
        bigger.flip(); // read mode, like the buffer it replaces; read() compacts it next
        buffer = bigger;
    }

    private static String malformed(String kind, int bodyLength) {
        return "the server sent a " + kind + " frame with a body of " + bodyLength + " bytes";
    }

    /** u32 length, then that many UTF-8 bytes, within {@code available} bytes. */
    private static String text(ByteBuffer in, int at, int available) {
        long length = Integer.toUnsignedLong(in.getInt(at));
        byte[] bytes = new byte[(int) Math.min(length, Math.max(0, available - 4))];
        in.get(at + 4, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
