package io.ferrite.engine;

import java.lang.foreign.MemorySegment;

/**
 * Decides, before an event is journaled, whether it is admitted and with which {@link EventMarks}:
 * the server asks it for every EVENT it reads. A refused event is answered REJECT INVALID_EVENT
 * with the decision's message and never journaled; an admitted one is journaled with the
 * decision's marks, which the stages read. A pipeline's policies implement it.
 *
 * <p>Thread-safety: implementations are called from every event loop at once: thread-safe, and
 * they should not allocate (return decisions made in advance).
 */
@FunctionalInterface
public interface AdmissionPolicy {
    /**
     * @param principal the sender's identity id ({@link io.ferrite.engine.auth.Identities}), or
     *                  {@link io.ferrite.engine.auth.Identities#ANONYMOUS}
     * @param payload   the memory holding the event's payload (read it in place, during the call only)
     * @param offset    where the payload starts in {@code payload}
     * @param length    its length
     * @return the decision; {@link Decision#ADMIT} admits the event without marks
     */
    Decision decide(int principal, int type, long key, int priority, MemorySegment payload, long offset, int length);

    /**
     * What to do with one event. Made once per rule and returned for every event it decides.
     *
     * <p>Thread-safety: immutable (do not change the message array).
     *
     * @param refusal null to admit, or the REJECT message (UTF-8) naming what refused it
     * @param marks   the {@link EventMarks} an admitted event is journaled with
     */
    record Decision(byte[] refusal, int marks) {
        /** Admitted, no marks. */
        public static final Decision ADMIT = new Decision(null, EventMarks.NONE);

        public boolean refused() {
            return refusal != null;
        }
    }
}
