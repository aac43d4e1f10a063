package io.ferrite.engine;

import java.lang.foreign.MemorySegment;

/**
 * Decides, before an event is journaled, whether it is admitted: the server asks it for every
 * EVENT it reads (a refused event is answered REJECT INVALID_EVENT with the message returned, and
 * never journaled). A pipeline's policies implement it.
 *
 * <p>Thread-safety: implementations are called from every event loop at once: thread-safe, and
 * they should not allocate.
 */
@FunctionalInterface
public interface AdmissionPolicy {
    /**
     * @param principal the sender's identity id ({@link io.ferrite.engine.auth.Identities}), or
     *                  {@link io.ferrite.engine.auth.Identities#ANONYMOUS}
     * @param payload   the memory holding the event's payload (read it in place, during the call only)
     * @param offset    where the payload starts in {@code payload}
     * @param length    its length
     * @return null to admit the event, or the REJECT message (UTF-8; the same array may be returned
     *         again) naming what refused it
     */
    byte[] refuse(int principal, int type, long key, int priority, MemorySegment payload, long offset, int length);
}
