package io.ferrite.transport.server;

import io.ferrite.offheap.AddressSpace;
import io.ferrite.protocol.AckFrame;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.ErrorFrame;
import io.ferrite.protocol.FrameKind;
import io.ferrite.protocol.PingFrame;
import io.ferrite.protocol.RejectFrame;
import io.ferrite.protocol.WelcomeFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The server's answers as Netty buffers, encoded by the protocol's codec straight into the
 * buffer's memory. A direct buffer with an address is written through {@link AddressSpace#ALL}
 * (no object besides the buffer); others through a segment over their array or NIO view.
 *
 * <p>Thread-safety: stateless.
 */
public final class NettyFrames {
    private NettyFrames() {
    }

    public static ByteBuf welcome(ByteBufAllocator alloc, int maxFrameLength, long instanceId) {
        ByteBuf out = alloc.ioBuffer(WelcomeFrame.FRAME_BYTES);
        return advance(out, WelcomeFrame.write(memory(out), base(out), maxFrameLength, instanceId));
    }

    public static ByteBuf ack(ByteBufAllocator alloc, long correlationId, long journalIndex) {
        ByteBuf out = alloc.ioBuffer(AckFrame.FRAME_BYTES);
        return advance(out, AckFrame.write(memory(out), base(out), correlationId, journalIndex));
    }

    public static ByteBuf reject(ByteBufAllocator alloc, long correlationId, ErrorCode code, byte[] message) {
        ByteBuf out = alloc.ioBuffer(RejectFrame.frameBytes(message.length));
        return advance(out, RejectFrame.write(memory(out), base(out), correlationId, code, message));
    }

    public static ByteBuf error(ByteBufAllocator alloc, ErrorCode code, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        ByteBuf out = alloc.ioBuffer(ErrorFrame.frameBytes(text.length));
        return advance(out, ErrorFrame.write(memory(out), base(out), code, text));
    }

    public static ByteBuf pong(ByteBufAllocator alloc, long nonce) {
        ByteBuf out = alloc.ioBuffer(PingFrame.FRAME_BYTES);
        return advance(out, PingFrame.write(memory(out), base(out), FrameKind.PONG, nonce));
    }

    /** The segment through which {@code buffer}'s bytes are addressed; offsets from {@link #address}. */
    public static MemorySegment memory(ByteBuf buffer) {
        if (buffer.hasMemoryAddress()) {
            return AddressSpace.ALL;
        }
        if (buffer.hasArray()) {
            return MemorySegment.ofArray(buffer.array());
        }
        return MemorySegment.ofBuffer(buffer.nioBuffer(0, buffer.capacity()));
    }

    /** The offset of {@code buffer}'s index 0 within {@link #memory(ByteBuf)}. */
    public static long address(ByteBuf buffer) {
        if (buffer.hasMemoryAddress()) {
            return buffer.memoryAddress();
        }
        return buffer.hasArray() ? buffer.arrayOffset() : 0;
    }

    private static long base(ByteBuf out) {
        return address(out) + out.writerIndex();
    }

    private static ByteBuf advance(ByteBuf out, int written) {
        return out.writerIndex(out.writerIndex() + written);
    }
}
