package io.ferrite.client;

import io.ferrite.protocol.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application's {@link ClientListener}, called so that it cannot break the client: an
 * exception it throws is counted ({@link #errors()}) and logged once per exception class, and the
 * client carries on.
 *
 * <p>Thread-safety: called from the client's reader thread (and its reconnect path); the count
 * from any thread.
 */
final class GuardedListener implements ClientListener {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedListener.class);

    private final ClientListener listener;
    private final AtomicLong errors = new AtomicLong();
    private final Set<Class<?>> logged = ConcurrentHashMap.newKeySet();

    GuardedListener(ClientListener listener) {
        this.listener = listener;
    }

    /** Exceptions the listener threw so far. */
    long errors() {
        return errors.get();
    }

    @Override
    public void onAck(long correlationId, long journalIndex) {
        try {
            listener.onAck(correlationId, journalIndex);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void onReject(long correlationId, ErrorCode code, String message) {
        try {
            listener.onReject(correlationId, code, message);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void onError(ErrorCode code, String message) {
        try {
            listener.onError(code, message);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void onDisconnected(String reason) {
        try {
            listener.onDisconnected(reason);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void onReconnected(long firstResent, long lastResent) {
        try {
            listener.onReconnected(firstResent, lastResent);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void failed(RuntimeException e) {
        errors.incrementAndGet();
        if (logged.add(e.getClass())) {
            LOG.warn("FWP client listener threw (logged once per exception class, counted in listenerErrors)", e);
        }
    }
}
