package io.ferrite.client;

import io.ferrite.protocol.ErrorCode;

/**
 * What the server answers, as values. Every method runs on the client's reader thread, one call
 * at a time, in the order the frames arrived; keep them short (the next ACK waits) and do not
 * call {@link FerriteClient#close()} from them. A method that throws is counted and logged once
 * per exception class; the reader carries on.
 *
 * <p>Thread-safety: called from the client's reader thread only.
 */
public interface ClientListener {
    /** A listener that ignores everything. */
    ClientListener NONE = new ClientListener() {
    };

    /**
     * Cumulative ACK: every event with a correlationId up to {@code correlationId} is answered
     * (accepted, a duplicate, or REJECTed earlier). Anything the caller keeps per correlationId
     * in a ring of {@code maxInFlightEvents} slots stays valid until this returns.
     *
     * @param journalIndex the journal index of event {@code correlationId}; 0 when it was a duplicate or rejected
     */
    default void onAck(long correlationId, long journalIndex) {
    }

    /**
     * The server refused one event; the connection stays open and a later ACK covers it.
     *
     * @param code null only for a code FWP/1 does not define
     */
    default void onReject(long correlationId, ErrorCode code, String message) {
    }

    /**
     * The server sent ERROR (during the handshake of a reconnect, or on an open connection) and
     * closes the connection. After UNAUTHORIZED, UNSUPPORTED_VERSION, MALFORMED_FRAME,
     * FRAME_TOO_LARGE or PROTOCOL_VIOLATION the client closes for good; after the others
     * (SHUTTING_DOWN, OVERLOADED, ...) it reconnects when configured to.
     *
     * @param code null only for a code FWP/1 does not define (treated as final)
     */
    default void onError(ErrorCode code, String message) {
    }

    /** The connection dropped (server close, I/O error, or an ERROR just reported). */
    default void onDisconnected(String reason) {
    }

    /**
     * A new connection is up; the un-ACKed events {@code firstResent..lastResent} (none when
     * first &gt; last) are being sent again with their original eventIds.
     */
    default void onReconnected(long firstResent, long lastResent) {
    }
}
