package io.ferrite.engine;

import io.ferrite.protocol.EventFrame;
import io.ferrite.protocol.Wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What the server's admission policy attached to an event, journaled in the three bytes the
 * EVENT body reserves (offsets 37..39; always 0 on the wire, where FWP/1 does not read them): a
 * flag byte ({@link #DROP}: no stage handles the event) and 16 tag bits that the pipeline names
 * (a tag, or "routed to stage S"). The server refuses an EVENT whose reserved bytes are not 0
 * (PROTOCOL_VIOLATION) and writes the marks after its policy decided, so a client cannot set
 * them; an embedded publish journals none.
 *
 * <p>Thread-safety: stateless.
 */
public final class EventMarks {
    /** No marks. */
    public static final int NONE = 0;
    /** The event is journaled (and ACKed) but passed over by every stage. */
    public static final int DROP = 1;
    /** Tags that fit: bits 0..15 of {@link #tags(int)}. */
    public static final int MAX_TAGS = 16;

    private EventMarks() {
    }

    /** Marks with {@code flags} ({@link #DROP} or 0) and the tag set {@code tags} (bit i = tag i). */
    public static int of(int flags, int tags) {
        if ((flags & ~0xFF) != 0 || (tags & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("flags " + flags + " or tags " + tags + " out of range");
        }
        return flags | tags << 8;
    }

    public static boolean dropped(int marks) {
        return (marks & DROP) != 0;
    }

    /** The tag set: bit i is tag i. */
    public static int tags(int marks) {
        return marks >>> 8;
    }

    /** Writes {@code marks} into the reserved bytes of the EVENT body at {@code body}. */
    public static void write(MemorySegment memory, long body, int marks) {
        memory.set(ValueLayout.JAVA_BYTE, body + EventFrame.RESERVED_OFFSET, (byte) marks);
        memory.set(Wire.U16, body + EventFrame.RESERVED_OFFSET + 1, (short) (marks >>> 8));
    }

    /** Reads the marks of the EVENT body at {@code body}. */
    public static int read(MemorySegment memory, long body) {
        return Wire.u8(memory, body + EventFrame.RESERVED_OFFSET) | Wire.u16(memory, body + EventFrame.RESERVED_OFFSET + 1) << 8;
    }
}
