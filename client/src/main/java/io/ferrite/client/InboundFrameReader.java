package io.ferrite.client;

import io.ferrite.protocol.AckFrame;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.ErrorFrame;
import io.ferrite.protocol.FrameHeader;
import io.ferrite.protocol.FrameKind;
import io.ferrite.protocol.PingFrame;
import io.ferrite.protocol.RejectFrame;
import io.ferrite.protocol.Violation;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Reads a connection's server frames (ACK, REJECT, ERROR, PING, PONG) in place from one direct
 * buffer through the protocol's flyweights and hands their fields to a {@link Handler}; no object
 * per ACK. A frame larger than the buffer grows it (only long REJECT or ERROR messages can).
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
    private final FrameHeader header = new FrameHeader();
    private final AckFrame ack = new AckFrame();
    private final RejectFrame reject = new RejectFrame();
    private final ErrorFrame error = new ErrorFrame();
    private final PingFrame ping = new PingFrame();
    private ByteBuffer buffer = ByteBuffer.allocateDirect(INITIAL_BYTES);
    private MemorySegment memory = MemorySegment.ofBuffer(buffer);

    InboundFrameReader(Handler handler) {
        this.handler = handler;
    }

    /**
     * Reads and handles frames until the connection ends.
     *
     * @param maxFrameLength the largest length value accepted (the server's own limit)
     * @return why it ended
     */
    String read(Wire channel, int maxFrameLength) {
        buffer.clear();
        try {
            while (true) {
                if (channel.read(buffer) < 0) {
                    return "the server closed the connection";
                }
                buffer.flip();
                String problem = handleFrames(buffer, Math.max(maxFrameLength, FrameHeader.DEFAULT_MAX_FRAME_LENGTH));
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
        while (in.remaining() >= FrameHeader.LENGTH_FIELD_SIZE) {
            int start = in.position();
            Violation badLength = FrameHeader.checkLength(FrameHeader.lengthAt(memory, start), maxFrameLength);
            if (badLength != null) {
                return "the server sent a bad frame: " + badLength.message();
            }
            long frameBytes = header.wrap(memory, start).frameBytes();
            if (in.remaining() < frameBytes) {
                if (frameBytes > in.capacity()) {
                    grow(in, (int) frameBytes);
                }
                return null;
            }
            String problem = handleFrame(header.kind(), header.bodyOffset(), header.bodyLength());
            if (problem != null) {
                return problem;
            }
            in.position(start + (int) frameBytes);
        }
        return null;
    }

    private String handleFrame(int kind, long body, int bodyLength) {
        Violation malformed = switch (kind) {
            case FrameKind.ACK -> AckFrame.check(bodyLength);
            case FrameKind.REJECT -> RejectFrame.check(memory, body, bodyLength);
            case FrameKind.ERROR -> ErrorFrame.check(memory, body, bodyLength);
            case FrameKind.PING, FrameKind.PONG -> PingFrame.check(kind, bodyLength);
            default -> null;
        };
        if (malformed != null) {
            return "the server sent a malformed " + FrameKind.name(kind) + ": " + malformed.message();
        }
        return switch (kind) {
            case FrameKind.ACK -> {
                ack.wrap(memory, body);
                yield handler.onAck(ack.correlationId(), ack.journalIndex());
            }
            case FrameKind.REJECT -> {
                reject.wrap(memory, body);
                yield handler.onReject(reject.correlationId(), ErrorCode.of(reject.code()), reject.message());
            }
            case FrameKind.ERROR -> {
                error.wrap(memory, body);
                yield handler.onError(ErrorCode.of(error.code()), error.message());
            }
            case FrameKind.PING -> handler.onPing(ping.wrap(memory, body).nonce());
            case FrameKind.PONG -> null; // this client sends no PING; a PONG needs no answer
            default -> "unexpected frame " + FrameKind.name(kind) + " from the server";
        };
    }

    /** Moves the partial frame into a buffer large enough for it; {@code in} is left empty. */
    private void grow(ByteBuffer in, int frameBytes) {
        ByteBuffer bigger = ByteBuffer.allocateDirect(Integer.highestOneBit(frameBytes - 1) << 1);
        bigger.put(in);
        bigger.flip(); // read mode, like the buffer it replaces; read() compacts it next
        buffer = bigger;
        memory = MemorySegment.ofBuffer(bigger);
    }
}
