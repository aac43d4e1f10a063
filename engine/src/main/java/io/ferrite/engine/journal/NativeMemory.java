package io.ferrite.engine.journal;

import java.lang.foreign.MemorySegment;

/**
 * The whole address space as one segment, so that memory Chronicle hands over as a raw address
 * can be read and written through {@link MemorySegment} accessors with the address as the offset,
 * without making a segment object per record. There are no bounds beyond the record lengths the
 * journal itself reports: only journal code uses this, and only over ranges Chronicle has just
 * reserved or is reading.
 *
 * <p>Thread-safety: immutable.
 */
final class NativeMemory {
    /** Offset == absolute address. Restricted method: needs --enable-native-access. */
    static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private NativeMemory() {
    }
}
