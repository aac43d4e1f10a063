package io.ferrite.transport.server;

import io.ferrite.engine.metrics.LatencyRecorder;
import io.ferrite.engine.metrics.Metric;
import io.ferrite.engine.metrics.MetricRegistry;
import io.ferrite.protocol.ErrorCode;
import io.netty.util.concurrent.FastThreadLocal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * What the server has done, across connections: connections, events accepted / duplicated /
 * rejected, ACKs, protocol errors, back-pressure pauses, slow consumers closed.
 *
 * <p>Thread-safety: thread-safe (LongAdders; event loops increment, anyone reads).
 */
public final class ServerCounters {
    private static final Logger LOG = LoggerFactory.getLogger(ServerCounters.class);

    private final LongAdder connectionsOpened = new LongAdder();
    private final LongAdder connectionsClosed = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder acks = new LongAdder();
    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder backPressured = new LongAdder();
    private final LongAdder slowConsumersClosed = new LongAdder();
    private final LongAdder handshakeTimeouts = new LongAdder();
    private final LongAdder idleClosed = new LongAdder();
    private final LongAdder connectionLimitRefused = new LongAdder();
    private final LongAdder authFailures = new LongAdder();
    private final LongAdder authThrottled = new LongAdder();
    private final LongAdder tlsHandshakeFailures = new LongAdder();
    private final LongAdder refusedByPolicy = new LongAdder();
    private final LongAdder[] rejectedByCode = Stream.generate(LongAdder::new).limit(ErrorCode.values().length)
        .toArray(LongAdder[]::new);
    /** Connections holding one of the server's places (see {@link #tryAdmit}). */
    private final AtomicInteger admitted = new AtomicInteger();
    private final Set<String> loggedFailures = ConcurrentHashMap.newKeySet();
    /** Read-to-ACK latency, one recorder per event loop (single writer each), made on first use. */
    private final List<LatencyRecorder> ackRecorders = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<LatencyRecorder> ackLatency = new FastThreadLocal<>() {
        @Override
        protected LatencyRecorder initialValue() {
            LatencyRecorder recorder = new LatencyRecorder();
            ackRecorders.add(recorder);
            return recorder;
        }
    };

    /** Event loop: this loop's read-to-ACK recorder. */
    LatencyRecorder ackLatencyRecorder() {
        return ackLatency.get();
    }

    /** Every event loop's read-to-ACK recorder so far (for a {@code LatencyWindow}). */
    public List<LatencyRecorder> ackLatencyRecorders() {
        return ackRecorders;
    }

    void connectionOpened() {
        connectionsOpened.increment();
    }

    void connectionClosed() {
        connectionsClosed.increment();
    }

    /** One read's answers, added once per read (before its ACK is written). */
    void eventsAnswered(long acceptedEvents, long duplicateEvents, long rejectedEvents) {
        if (acceptedEvents != 0) {
            accepted.add(acceptedEvents);
        }
        if (duplicateEvents != 0) {
            duplicates.add(duplicateEvents);
        }
        if (rejectedEvents != 0) {
            rejected.add(rejectedEvents);
        }
    }

    /** Adds one read's REJECTs by code (indexed by ordinal) and clears {@code counts}. */
    void rejectedByCode(long[] counts) {
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                rejectedByCode[i].add(counts[i]);
                counts[i] = 0;
            }
        }
    }

    /** REJECTs with {@code code} so far. */
    public long rejected(ErrorCode code) {
        return rejectedByCode[code.ordinal()].sum();
    }

    void ackSent() {
        acks.increment();
    }

    void protocolError() {
        protocolErrors.increment();
    }

    void connectionBlocked() {
        backPressured.increment();
    }

    void slowConsumerClosed() {
        slowConsumersClosed.increment();
    }

    /** Takes one of the server's {@code max} places for a new connection; false when all are taken. */
    boolean tryAdmit(int max) {
        while (true) {
            int now = admitted.get();
            if (now >= max) {
                return false;
            }
            if (admitted.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Gives back a place taken by {@link #tryAdmit}. */
    void releaseAdmission() {
        admitted.decrementAndGet();
    }

    void handshakeTimedOut() {
        handshakeTimeouts.increment();
    }

    void closedIdle() {
        idleClosed.increment();
    }

    void refusedAtConnectionLimit() {
        connectionLimitRefused.increment();
    }

    void authFailed() {
        authFailures.increment();
    }

    void helloThrottled() {
        authThrottled.increment();
    }

    void refusedByPolicy() {
        refusedByPolicy.increment();
    }

    /** Events the admission policy refused (REJECT INVALID_EVENT naming the rule). */
    public long refusedByPolicyCount() {
        return refusedByPolicy.sum();
    }

    void tlsHandshakeFailed() {
        tlsHandshakeFailures.increment();
    }

    void connectionFailed(Throwable cause) {
        if (loggedFailures.add(cause.getClass().getName() + ':' + cause.getMessage())) {
            LOG.warn("connection failed (further identical failures are not logged): {}", cause.toString());
        }
    }

    public long connectionsOpen() {
        return connectionsOpened.sum() - connectionsClosed.sum();
    }

    public long connectionsOpened() {
        return connectionsOpened.sum();
    }

    public long accepted() {
        return accepted.sum();
    }

    public long duplicates() {
        return duplicates.sum();
    }

    public long rejected() {
        return rejected.sum();
    }

    public long acks() {
        return acks.sum();
    }

    public long protocolErrors() {
        return protocolErrors.sum();
    }

    public long backPressured() {
        return backPressured.sum();
    }

    public long slowConsumersClosed() {
        return slowConsumersClosed.sum();
    }

    /** Connections closed because no HELLO came within the handshake timeout. */
    public long handshakeTimeouts() {
        return handshakeTimeouts.sum();
    }

    /** Connections closed because they sent nothing for the idle timeout. */
    public long idleClosed() {
        return idleClosed.sum();
    }

    /** HELLOs answered ERROR CONNECTION_LIMIT. */
    public long connectionLimitRefused() {
        return connectionLimitRefused.sum();
    }

    /** HELLOs with a wrong or missing token. */
    public long authFailures() {
        return authFailures.sum();
    }

    /** HELLOs refused unchecked because their address failed too often this minute. */
    public long authThrottled() {
        return authThrottled.sum();
    }

    /** TLS handshakes that failed: plain TCP on the TLS port, an untrusted or missing client certificate, a timeout. */
    public long tlsHandshakeFailures() {
        return tlsHandshakeFailures.sum();
    }

    /** Adds these counters to {@code registry} (read on demand; nothing is added to the event loops' work). */
    public void registerInto(MetricRegistry registry) {
        registry.add(Metric.gauge("ferrite_connections_open", "FWP/1 connections open now", this::connectionsOpen));
        registry.add(Metric.counter("ferrite_connections_opened", "FWP/1 connections accepted", this::connectionsOpened));
        registry.add(Metric.counter("ferrite_server_events", "EVENT frames answered, by outcome", this::accepted)
            .withLabel("outcome", "accepted"));
        registry.add(Metric.counter("ferrite_server_events", "EVENT frames answered, by outcome", this::duplicates)
            .withLabel("outcome", "duplicate"));
        registry.add(Metric.counter("ferrite_server_events", "EVENT frames answered, by outcome", this::rejected)
            .withLabel("outcome", "rejected"));
        for (ErrorCode code : List.of(ErrorCode.OVERLOADED, ErrorCode.INVALID_EVENT, ErrorCode.SHUTTING_DOWN,
            ErrorCode.JOURNAL_UNAVAILABLE)) {
            registry.add(Metric.counter("ferrite_server_rejected", "REJECT frames sent, by code", () -> rejected(code))
                .withLabel("code", code.name().toLowerCase(Locale.ROOT)));
        }
        registry.add(Metric.counter("ferrite_server_refused_by_policy", "Events the pipeline's policies refused",
            this::refusedByPolicyCount));
        registry.add(Metric.counter("ferrite_server_acks", "ACK frames sent", this::acks));
        registry.add(Metric.counter("ferrite_server_back_pressured", "Times a connection stopped reading because the"
            + " engine was full", this::backPressured));
        registry.add(Metric.counter("ferrite_connections_closed", "Connections the server closed, by why",
            this::protocolErrors).withLabel("reason", "protocol_error"));
        registry.add(Metric.counter("ferrite_connections_closed", "Connections the server closed, by why",
            this::slowConsumersClosed).withLabel("reason", "slow_consumer"));
        registry.add(Metric.counter("ferrite_connections_closed", "Connections the server closed, by why",
            this::handshakeTimeouts).withLabel("reason", "handshake_timeout"));
        registry.add(Metric.counter("ferrite_connections_closed", "Connections the server closed, by why",
            this::idleClosed).withLabel("reason", "idle"));
        registry.add(Metric.counter("ferrite_connections_closed", "Connections the server closed, by why",
            this::connectionLimitRefused).withLabel("reason", "connection_limit"));
        registry.add(Metric.counter("ferrite_connections_closed", "Connections the server closed, by why",
            this::authFailures).withLabel("reason", "unauthorized"));
        registry.add(Metric.counter("ferrite_connections_closed", "Connections the server closed, by why",
            this::authThrottled).withLabel("reason", "auth_throttled"));
        registry.add(Metric.counter("ferrite_connections_closed", "Connections the server closed, by why",
            this::tlsHandshakeFailures).withLabel("reason", "tls_handshake"));
    }
}
