package io.ferrite.client;

import io.ferrite.protocol.ErrorCode;

import java.io.IOException;

/**
 * A connection that could not be made, an ERROR the server answered the handshake with, or an
 * event a future of {@link FerriteClient#publishAsync} could not complete for. Control path only.
 *
 * <p>Thread-safety: immutable.
 */
public final class FerriteClientException extends IOException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final long correlationId;

    public FerriteClientException(ErrorCode code, long correlationId, String message) {
        super(message);
        this.code = code;
        this.correlationId = correlationId;
    }

    public FerriteClientException(String message, Throwable cause) {
        super(message, cause);
        this.code = null;
        this.correlationId = 0;
    }

    /** The server's code (ERROR or REJECT), or null when the failure was local (I/O, timeout, closed). */
    public ErrorCode code() {
        return code;
    }

    /** The event's correlationId for a REJECT or a failed publish, else 0. */
    public long correlationId() {
        return correlationId;
    }
}
