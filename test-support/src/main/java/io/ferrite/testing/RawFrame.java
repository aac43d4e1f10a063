package io.ferrite.testing;

import io.ferrite.protocol.AckFrame;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.ErrorFrame;
import io.ferrite.protocol.EventFrame;
import io.ferrite.protocol.FrameKind;
import io.ferrite.protocol.PingFrame;
import io.ferrite.protocol.RejectFrame;
import io.ferrite.protocol.WelcomeFrame;
import io.ferrite.protocol.Wire;

import java.lang.foreign.MemorySegment;

/**
 * One frame as a test peer received it: kind, flags and a copy of its body, with the body's fields
 * read through the protocol's flyweights. {@link #EOF} stands for the peer closing the connection.
 *
 * <p>Thread-safety: immutable (do not change {@link #body()}).
 */
public record RawFrame(int kind, int flags, byte[] body) {
    public static final RawFrame EOF = new RawFrame(-1, 0, new byte[0]);

    public boolean isEof() {
        return kind == -1;
    }

    private MemorySegment memory() {
        return MemorySegment.ofArray(body);
    }

    /** ACK, REJECT and EVENT. */
    public long correlationId() {
        return Wire.u64(memory(), 0);
    }

    /** ACK. */
    public long journalIndex() {
        return new AckFrame().wrap(memory(), 0).journalIndex();
    }

    /** REJECT and ERROR: the code's number. */
    public int code() {
        return kind == FrameKind.REJECT ? new RejectFrame().wrap(memory(), 0).code()
            : new ErrorFrame().wrap(memory(), 0).code();
    }

    /** REJECT and ERROR. */
    public String message() {
        return kind == FrameKind.REJECT ? new RejectFrame().wrap(memory(), 0).message()
            : new ErrorFrame().wrap(memory(), 0).message();
    }

    /** PING and PONG. */
    public long nonce() {
        return new PingFrame().wrap(memory(), 0).nonce();
    }

    /** WELCOME. */
    public int version() {
        return new WelcomeFrame().wrap(memory(), 0).version();
    }

    /** WELCOME. */
    public long maxFrameLength() {
        return new WelcomeFrame().wrap(memory(), 0).maxFrameLength();
    }

    /** The u16 at {@code offset} of the body (reserved fields). */
    public int u16(int offset) {
        return Wire.u16(memory(), offset);
    }

    /** The u32 at {@code offset} of the body (length fields). */
    public long u32(int offset) {
        return Wire.u32(memory(), offset);
    }

    /** EVENT: the body as a flyweight. */
    public EventFrame event() {
        return new EventFrame().wrap(memory(), 0, body.length);
    }

    @Override
    public String toString() {
        if (isEof()) {
            return "EOF";
        }
        String name = FrameKind.name(kind);
        return switch (kind) {
            case FrameKind.ACK -> name + "(" + correlationId() + ", index " + journalIndex() + ")";
            case FrameKind.REJECT -> name + "(" + correlationId() + ", " + ErrorCode.of(code()) + ": " + message() + ")";
            case FrameKind.ERROR -> name + "(" + ErrorCode.of(code()) + ": " + message() + ")";
            case FrameKind.PING, FrameKind.PONG -> name + "(" + nonce() + ")";
            default -> name + "[" + body.length + " bytes]";
        };
    }
}
