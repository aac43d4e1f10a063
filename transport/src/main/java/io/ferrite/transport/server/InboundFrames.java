package io.ferrite.transport.server;

import io.ferrite.engine.AdmissionPolicy;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EventMarks;
import io.ferrite.engine.PublishResult;
import io.ferrite.engine.auth.Identities;
import io.ferrite.engine.sequencer.EventBatch;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.protocol.EventFrame;
import io.ferrite.protocol.FrameHeader;
import io.ferrite.protocol.FrameKind;
import io.ferrite.protocol.HelloFrame;
import io.ferrite.protocol.PingFrame;
import io.ferrite.protocol.Violation;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;

/**
 * Where a connection's frames are decoded: in place, from Netty's cumulation buffer, through the
 * protocol's flyweights and checks (no object per frame). Consecutive valid EVENTs are gathered
 * into one {@link EventBatch} and handed to the engine's sequencer in one call — a read's events
 * become one journal batch — and their outcomes go to the {@link OutboundAnswers}.
 *
 * <p>Back pressure: when the engine takes only part of a batch, the rest stays in the buffer (the
 * reader index is moved back to the first event not taken) and {@link #blocked()} says so; the
 * connection stops reading and retries later ({@code BLOCK}), or the rest is REJECTed OVERLOADED
 * ({@code REJECT}).
 *
 * <p>Thread-safety: confined to the connection's event loop.
 */
final class InboundFrames {
    /** What the connection must do after a call of {@link #read}. */
    interface Faults {
        /** A frame broke FWP/1: ERROR with this code, then close. */
        void protocolViolation(ErrorCode code, String message);
    }

    private static final int BATCH_EVENTS = 4096;

    private final Engine engine;
    private final ServerConfig config;
    private final long instanceId;
    private final OutboundAnswers answers;
    private final Faults faults;
    private final ServerCounters counters;
    private final AuthThrottle throttle;
    private final FrameHeader header = new FrameHeader();
    private final HelloFrame helloFrame = new HelloFrame();
    private final EventFrame eventFrame = new EventFrame();
    private final PingFrame pingFrame = new PingFrame();
    private final AdmissionPolicy admission;
    /**
     * One batch per event loop, not per connection (4,096 events' outcomes are ~86 KB: at 10,000
     * connections that was most of the heap). A batch lives only inside one {@link #read} call, and
     * an event loop reads one connection at a time.
     */
    private static final FastThreadLocal<EventBatch> BATCHES = new FastThreadLocal<>() {
        @Override
        protected EventBatch initialValue() {
            return new EventBatch(BATCH_EVENTS);
        }
    };
    /** This event loop's batch, for the current {@link #read} call. */
    private EventBatch batch;
    /** The input buffer's memory for this call, and where its index 0 lies in it. */
    private MemorySegment memory;
    private long base;
    private boolean helloDone;
    /** Whether this connection holds one of the server's places (else its HELLO gets CONNECTION_LIMIT). */
    private boolean admitted = true;
    /** Who said HELLO (an identity id), for the admission policy. */
    private int principal = Identities.ANONYMOUS;
    /** Why the admission policy refused the event being handled, until its REJECT is written. */
    private byte[] refusal;
    private InetAddress remote;
    private boolean blocked;
    private boolean failed;
    private boolean hasCorrelation;
    private long lastCorrelationId;
    /** Where the first event of the open batch starts (a reader index), and the correlation state before it. */
    private int batchStart;
    private boolean hadCorrelationBeforeBatch;
    private long correlationBeforeBatch;

    InboundFrames(Engine engine, ServerConfig config, long instanceId, OutboundAnswers answers, Faults faults,
                  ServerCounters counters, AuthThrottle throttle) {
        this.engine = engine;
        this.config = config;
        this.instanceId = instanceId;
        this.answers = answers;
        this.faults = faults;
        this.counters = counters;
        this.throttle = throttle;
        this.admission = config.admission();
    }

    /** Who is on the other end, and whether the connection got one of the server's places. */
    void connected(InetAddress remoteAddress, boolean hasPlace) {
        this.remote = remoteAddress;
        this.admitted = hasPlace;
    }

    /** Whether the HELLO was answered with WELCOME. */
    boolean helloDone() {
        return helloDone;
    }

    /** True after a read that left events in the buffer because the engine was full (BLOCK policy). */
    boolean blocked() {
        return blocked;
    }

    /**
     * Handles every whole frame in {@code in} from its reader index; stops at a protocol violation
     * (reported to {@link Faults}) or when the engine is full (then {@link #blocked()}).
     */
    void read(ByteBuf in) {
        blocked = false;
        failed = false;
        memory = NettyFrames.memory(in);
        base = NettyFrames.address(in);
        batch = BATCHES.get();
        batch.reset(memory);
        while (!failed && !blocked) {
            int readable = in.readableBytes();
            if (readable < FrameHeader.LENGTH_FIELD_SIZE) {
                break;
            }
            int start = in.readerIndex();
            Violation badLength = FrameHeader.checkLength(FrameHeader.lengthAt(memory, base + start),
                config.maxFrameLength());
            if (badLength != null) {
                fail(in, badLength);
                break;
            }
            header.wrap(memory, base + start);
            if (readable < header.frameBytes()) {
                break; // wait for the rest of the frame
            }
            int frameBytes = (int) header.frameBytes();
            int kind = header.kind();
            if (kind == FrameKind.EVENT && helloDone && header.flags() == 0 && event(in, start)) {
                in.readerIndex(start + frameBytes);
                continue;
            }
            flushBatch(in); // anything else comes after the events before it
            if (blocked || failed) {
                break;
            }
            if (control(in, kind)) {
                in.readerIndex(start + frameBytes);
            }
        }
        flushBatch(in);
    }

    /** HELLO, PING, PONG, or a fault; true when the frame is consumed. */
    private boolean control(ByteBuf in, int kind) {
        Violation badFlags = header.checkFlags();
        if (badFlags != null) {
            fail(in, badFlags);
            return false;
        }
        if (!helloDone && kind != FrameKind.HELLO) {
            fail(in, ErrorCode.PROTOCOL_VIOLATION, FrameKind.name(kind) + " before HELLO");
            return false;
        }
        long body = header.bodyOffset();
        int bodyLength = header.bodyLength();
        return switch (kind) {
            case FrameKind.HELLO -> hello(in, body, bodyLength);
            case FrameKind.EVENT -> rejectedEvent(in, body, bodyLength);
            case FrameKind.PING -> {
                if (checked(in, PingFrame.check(kind, bodyLength))) {
                    answers.pong(pingFrame.wrap(memory, body).nonce());
                    yield true;
                }
                yield false;
            }
            case FrameKind.PONG -> checked(in, PingFrame.check(kind, bodyLength));
            default -> {
                fail(in, ErrorCode.PROTOCOL_VIOLATION, "unexpected frame kind " + FrameKind.name(kind) + " from a client");
                yield false;
            }
        };
    }

    private boolean hello(ByteBuf in, long body, int bodyLength) {
        if (helloDone) {
            fail(in, ErrorCode.PROTOCOL_VIOLATION, "a second HELLO");
            return false;
        }
        if (!checked(in, HelloFrame.check(memory, body, bodyLength))) {
            return false;
        }
        helloFrame.wrap(memory, body);
        if (!admitted) {
            counters.refusedAtConnectionLimit();
            fail(in, ErrorCode.CONNECTION_LIMIT, "the server already holds its maximum of " + config.maxConnections()
                + " connections; try again later");
            return false;
        }
        if (config.token() != null || config.identities() != null) {
            long now = System.nanoTime();
            if (throttle.refuses(remote, now)) {
                counters.helloThrottled();
                fail(in, ErrorCode.UNAUTHORIZED, "too many failed HELLOs from this address (" + config.authFailuresPerMinute()
                    + " a minute); try again within a minute");
                return false;
            }
            boolean known;
            if (config.identities() != null) {
                Identities.Identity identity = config.identities().match(helloFrame.token());
                known = identity != null;
                principal = known ? identity.id() : Identities.ANONYMOUS;
            } else {
                known = helloFrame.tokenEquals(config.token());
            }
            if (!known) {
                counters.authFailed();
                throttle.failed(remote, now);
                fail(in, ErrorCode.UNAUTHORIZED, helloFrame.tokenLength() == 0 ? "a token is required" : "wrong token");
                return false;
            }
        }
        helloDone = true;
        answers.welcome(config.maxFrameLength(), instanceId);
        return true;
    }

    /**
     * A valid EVENT joins the open batch: true. Anything else about it (malformed, a correlationId
     * that does not increase, a priority the protocol refuses) is left to {@link #rejectedEvent}
     * once the batch before it is flushed: false.
     */
    private boolean event(ByteBuf in, int start) {
        long body = header.bodyOffset();
        int bodyLength = header.bodyLength();
        if (EventFrame.check(memory, body, bodyLength) != null) {
            return false;
        }
        long correlationId = eventFrame.wrap(memory, body, bodyLength).correlationId();
        if (hasCorrelation && Long.compareUnsigned(correlationId, lastCorrelationId) <= 0
            || !EventFrame.isValidPriority(eventFrame.priority())) {
            return false;
        }
        int marks = EventMarks.NONE;
        if (admission != null) {
            AdmissionPolicy.Decision decision = admission.decide(principal, eventFrame.type(), eventFrame.key(),
                eventFrame.priority(), memory, eventFrame.payloadOffset(), (int) eventFrame.payloadLength());
            if (decision.refused()) {
                refusal = decision.refusal();
                return false; // answered REJECT by rejectedEvent, after the events before it
            }
            marks = decision.marks();
        }
        if (marks != EventMarks.NONE) {
            EventMarks.write(memory, body, marks); // into the reserved bytes, which check() found 0
        }
        if (batch.isFull()) {
            flushBatch(in);
            if (blocked || failed) {
                return false;
            }
        }
        if (batch.count() == 0) {
            batchStart = start;
            hadCorrelationBeforeBatch = hasCorrelation;
            correlationBeforeBatch = lastCorrelationId;
        }
        batch.add(body, bodyLength);
        hasCorrelation = true;
        lastCorrelationId = correlationId;
        return true;
    }

    /** An EVENT that cannot join a batch: an ERROR for what breaks the protocol, a REJECT for a bad priority. */
    private boolean rejectedEvent(ByteBuf in, long body, int bodyLength) {
        Violation malformed = EventFrame.check(memory, body, bodyLength);
        if (malformed != null && malformed.code() == ErrorCode.MALFORMED_FRAME) {
            fail(in, malformed);
            return false;
        }
        long correlationId = eventFrame.wrap(memory, body, bodyLength).correlationId();
        if (hasCorrelation && Long.compareUnsigned(correlationId, lastCorrelationId) <= 0) {
            fail(in, ErrorCode.PROTOCOL_VIOLATION, "correlationId " + Long.toUnsignedString(correlationId)
                + " does not increase (last " + Long.toUnsignedString(lastCorrelationId) + ")");
            return false;
        }
        if (malformed != null) {
            fail(in, malformed);
            return false;
        }
        hasCorrelation = true;
        lastCorrelationId = correlationId;
        if (refusal != null) {
            counters.refusedByPolicy();
            answers.reject(correlationId, ErrorCode.INVALID_EVENT, refusal);
            refusal = null;
            return true;
        }
        answers.reject(correlationId, ErrorCode.INVALID_EVENT, OutboundAnswers.PRIORITY);
        return true;
    }

    /** Appends the open batch and answers what the engine decided; handles a partial take. */
    private void flushBatch(ByteBuf in) {
        if (batch.count() == 0) {
            return;
        }
        engine.offer(batch);
        int taken = batch.appended();
        for (int i = 0; i < taken; i++) {
            long result = batch.result(i);
            long correlationId = batch.correlationId(i);
            if (result >= 0) {
                answers.accepted(correlationId, result, batch.duplicate(i));
            } else if (result == PublishResult.JOURNAL_UNAVAILABLE) {
                answers.reject(correlationId, ErrorCode.JOURNAL_UNAVAILABLE, OutboundAnswers.JOURNAL_UNAVAILABLE);
            } else if (result == PublishResult.CLOSED) {
                answers.reject(correlationId, ErrorCode.SHUTTING_DOWN, OutboundAnswers.SHUTTING_DOWN);
            } else {
                answers.reject(correlationId, ErrorCode.INVALID_EVENT, OutboundAnswers.TOO_LARGE);
            }
        }
        if (taken < batch.count()) {
            if (config.backpressure() == BackpressurePolicy.REJECT) {
                for (int i = taken; i < batch.count(); i++) {
                    answers.reject(batch.correlationId(i), ErrorCode.OVERLOADED, OutboundAnswers.OVERLOADED);
                }
            } else {
                // leave the events not taken in the buffer: the connection retries them later
                in.readerIndex(taken == 0 ? batchStart : frameEnd(taken - 1));
                hasCorrelation = taken > 0 || hadCorrelationBeforeBatch;
                lastCorrelationId = taken > 0 ? batch.correlationId(taken - 1) : correlationBeforeBatch;
                blocked = true;
            }
        }
        batch.reset(memory);
    }

    /** The reader index just past the frame of batch event {@code i}. */
    private int frameEnd(int i) {
        long frameStart = batch.bodyOffset(i) - FrameHeader.BODY_OFFSET - base;
        return (int) (frameStart + FrameHeader.LENGTH_FIELD_SIZE + FrameHeader.lengthAt(memory, base + frameStart));
    }

    private boolean checked(ByteBuf in, Violation violation) {
        if (violation == null) {
            return true;
        }
        fail(in, violation);
        return false;
    }

    private void fail(ByteBuf in, Violation violation) {
        fail(in, violation.code(), violation.message());
    }

    /** The events before the bad frame are appended and answered first; then the fault. */
    private void fail(ByteBuf in, ErrorCode code, String message) {
        flushBatch(in);
        failed = true;
        faults.protocolViolation(code, message);
    }
}
