package io.ferrite.client;

import io.ferrite.protocol.ErrorCode;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test helper: records every listener call.
 *
 * <p>Thread-safety: called on the client's reader thread, read by the test thread (thread-safe lists).
 */
final class RecordingListener implements ClientListener {
    record Ack(long correlationId, long journalIndex) {
    }

    record Refusal(long correlationId, ErrorCode code, String message) {
    }

    record Resend(long first, long last) {
    }

    final List<Ack> acks = new CopyOnWriteArrayList<>();
    final List<Refusal> rejects = new CopyOnWriteArrayList<>();
    final List<Refusal> errors = new CopyOnWriteArrayList<>();
    final List<String> disconnects = new CopyOnWriteArrayList<>();
    final List<Resend> reconnects = new CopyOnWriteArrayList<>();

    @Override
    public void onAck(long correlationId, long journalIndex) {
        acks.add(new Ack(correlationId, journalIndex));
    }

    @Override
    public void onReject(long correlationId, ErrorCode code, String message) {
        rejects.add(new Refusal(correlationId, code, message));
    }

    @Override
    public void onError(ErrorCode code, String message) {
        errors.add(new Refusal(0, code, message));
    }

    @Override
    public void onDisconnected(String reason) {
        disconnects.add(reason);
    }

    @Override
    public void onReconnected(long firstResent, long lastResent) {
        reconnects.add(new Resend(firstResent, lastResent));
    }
}
