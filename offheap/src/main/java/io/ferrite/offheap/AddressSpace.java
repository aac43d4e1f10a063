package io.ferrite.offheap;

import java.lang.foreign.MemorySegment;

/**
 * The whole address space as one segment: memory that arrives as a raw address (a Chronicle
 * mapped record, a Netty direct buffer) can then be read and written through
 * {@link MemorySegment} accessors with the address as the offset, without making a segment
 * object per record. It has no bounds of its own: use it only over ranges whose owner has just
 * told you their address and length, and only while the owner keeps them alive.
 *
 * <p>Thread-safety: immutable.
 */
public final class AddressSpace {
    /** Offset == absolute address. Restricted method: needs --enable-native-access. */
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private AddressSpace() {
    }
}
