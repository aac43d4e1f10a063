package io.ferrite.pipeline.actions;

import io.ferrite.concurrent.Progress;
import io.ferrite.engine.metrics.LatencyRecorder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * One declared action: starts attempts (an HTTP call through the stage's {@link WebhookClient}, a line appended to a
 * file, a log line, a record produced to Kafka), keeps its circuit breaker and its figures, and says
 * how long to wait before a retry (exponential backoff with full jitter, or the receiver's
 * Retry-After).
 *
 * <p>Every call carries the header {@code Idempotency-Key: EVENTID-ACTION}, the same on each
 * attempt and after a restart, so a receiver can tell a repeat.
 *
 * <p>Thread-safety: {@link #start} and the breaker from the executor thread; attempts end on the
 * HTTP client's threads (they only report through the callback); figures from any thread.
 */
final class ActionRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ActionRunner.class);
    private static final Base64.Encoder BASE64 = Base64.getEncoder();

    enum Breaker { CLOSED, OPEN, HALF_OPEN }

    final ActionSpec spec;
    private final WebhookClient http;
    private final ExecutorService files;
    /** For Kafka actions: an idempotent producer (acks=all); else null. */
    private final KafkaProducer<String, String> kafka;
    /**
     * For Kafka actions: the thread that calls {@code send}, which blocks while the producer has no
     * metadata for the topic (a broker unreachable) or no buffer space — never the executor's thread.
     * One thread, so records leave in the order their calls started.
     */
    private final ExecutorService kafkaSender;
    /** Executor thread: calls in flight. */
    int inFlight;
    private Breaker breaker = Breaker.CLOSED;
    private int consecutiveFailures;
    private long openUntilNanos;

    final Progress succeeded = new Progress(0);
    final Progress failedAttempts = new Progress(0);
    final Progress retried = new Progress(0);
    final Progress timedOut = new Progress(0);
    final Progress deadLettered = new Progress(0);
    final Progress breakerOpened = new Progress(0);
    /** How long attempts took, start to end (the executor thread is its one writer). */
    final LatencyRecorder durations = new LatencyRecorder();
    private volatile int breakerState;

    ActionRunner(ActionSpec spec, WebhookClient http, ExecutorService files) {
        this.spec = spec;
        this.http = http;
        this.files = files;
        this.kafka = spec.kind() == ActionSpec.Kind.KAFKA ? producer(spec) : null;
        this.kafkaSender = kafka == null ? null : java.util.concurrent.Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("ferrite-action-kafka-" + spec.name()).factory());
    }

    private static KafkaProducer<String, String> producer(ActionSpec spec) {
        int requestTimeout = (int) Math.max(1_000, spec.timeout().toMillis() / 2);
        Map<String, Object> config = Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, spec.bootstrap(),
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(spec.timeout().toMillis(), requestTimeout + 10L),
            ProducerConfig.MAX_BLOCK_MS_CONFIG, spec.timeout().toMillis(), // send() waits for metadata at most this long
            ProducerConfig.CLIENT_ID_CONFIG, "ferrite-action-" + spec.name());
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    /** Executor thread: starts one attempt of {@code call}; {@code done} gets its end, on any thread. */
    void start(Call call, Consumer<Attempt> done) {
        call.attempts++;
        call.startedNanos = System.nanoTime();
        inFlight++;
        try {
            switch (spec.kind()) {
                case HTTP -> sendHttp(call, done);
                case FILE -> CompletableFuture.runAsync(() -> append(call), files)
                    .whenComplete((ignored, error) -> done.accept(error == null ? new Attempt(call, Attempt.Outcome.SUCCESS,
                        -1, null) : new Attempt(call, Attempt.Outcome.RETRY, -1, String.valueOf(error.getCause()))));
                case LOG -> {
                    log(call);
                    done.accept(new Attempt(call, Attempt.Outcome.SUCCESS, -1, null));
                }
                case KAFKA -> {
                    ProducerRecord<String, String> record = new ProducerRecord<>(spec.target(), idempotencyKey(call.event),
                        json(call));
                    kafkaSender.execute(() -> produce(call, record, done));
                }
            }
        } catch (RuntimeException e) { // a URL that does not parse once filled in, and the like: no retry fixes it
            done.accept(new Attempt(call, Attempt.Outcome.FAIL, -1, e.toString()));
        }
    }

    /** The Kafka sender's thread: one record; a broker that does not acknowledge in time is a timeout, retried. */
    private void produce(Call call, ProducerRecord<String, String> record, Consumer<Attempt> done) {
        try {
            kafka.send(record, (metadata, error) -> done.accept(error == null
                ? new Attempt(call, Attempt.Outcome.SUCCESS, -1, null)
                : new Attempt(call, error instanceof org.apache.kafka.common.errors.TimeoutException ? Attempt.Outcome.TIMEOUT
                    : error instanceof RetriableException ? Attempt.Outcome.RETRY : Attempt.Outcome.FAIL, -1, error.toString())));
        } catch (RuntimeException e) { // the producer closed, a record it refuses outright: no retry fixes it
            done.accept(new Attempt(call, Attempt.Outcome.FAIL, -1, e.toString()));
        }
    }

    private void sendHttp(Call call, Consumer<Attempt> done) {
        ActionEvent event = call.event;
        String url = spec.target().replace("{key}", Long.toString(event.key)).replace("{type}", Integer.toString(event.type))
            .replace("{eventId}", Long.toString(event.eventId));
        List<String> headers = new ArrayList<>(8 + 2 * spec.headers().size());
        headers.add("Idempotency-Key");
        headers.add(idempotencyKey(event));
        headers.add("Ferrite-Attempt");
        headers.add(Integer.toString(call.attempts));
        spec.headers().forEach((name, value) -> {
            headers.add(name);
            headers.add(value);
        });
        byte[] body = switch (spec.body()) {
            case EVENT -> {
                headers.add("Content-Type");
                headers.add("application/json");
                yield json(call).getBytes(StandardCharsets.UTF_8);
            }
            case PAYLOAD -> {
                headers.add("Content-Type");
                headers.add("application/octet-stream");
                yield event.payload();
            }
            case NONE -> null;
        };
        http.send(spec.method(), url, headers, body, spec.timeout(),
            (status, retryAfter, error) -> done.accept(ended(call, status, retryAfter, error)));
    }

    private Attempt ended(Call call, int status, String retryAfter, Throwable error) {
        if (error != null) {
            return WebhookClient.isTimeout(error)
                ? new Attempt(call, Attempt.Outcome.TIMEOUT, -1, "no answer within " + spec.timeout().toMillis() + " ms")
                : new Attempt(call, Attempt.Outcome.RETRY, -1, error.toString());
        }
        if (status >= 200 && status < 300) {
            return new Attempt(call, Attempt.Outcome.SUCCESS, -1, null);
        }
        String said = "HTTP " + status;
        if (status == 429 || status == 503 || status == 408 || status >= 500) {
            return new Attempt(call, Attempt.Outcome.RETRY, retryAfterNanos(retryAfter), said);
        }
        return new Attempt(call, Attempt.Outcome.FAIL, -1, said);
    }

    /** Retry-After in seconds (the HTTP-date form is not honoured: the backoff applies). */
    private static long retryAfterNanos(String retryAfter) {
        if (retryAfter == null) {
            return -1L;
        }
        try {
            return Math.max(0, Long.parseLong(retryAfter.trim())) * 1_000_000_000L;
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    private void append(Call call) {
        try {
            Files.writeString(Path.of(spec.target()), json(call) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void log(Call call) {
        String line = "action " + spec.name() + ": " + json(call);
        switch (spec.target().toLowerCase(Locale.ROOT)) {
            case "warn" -> LOG.warn(line);
            case "debug" -> LOG.debug(line);
            default -> LOG.info(line);
        }
    }

    /** The event as one JSON object, the payload in base64. */
    private String json(Call call) {
        ActionEvent event = call.event;
        return String.format(Locale.ROOT, "{\"action\":\"%s\",\"idempotencyKey\":\"%s\",\"attempt\":%d,\"index\":%d,"
                + "\"eventId\":%d,\"key\":%d,\"type\":%d,\"priority\":%d,\"timestampNanos\":%d,\"payload\":\"%s\"}",
            spec.name(), idempotencyKey(event), call.attempts, event.index, event.eventId, event.key, event.type,
            event.priority, event.timestampNanos, BASE64.encodeToString(event.payload()));
    }

    String idempotencyKey(ActionEvent event) {
        return Long.toUnsignedString(event.eventId) + "-" + spec.name();
    }

    /** The delay before attempt {@code attempts + 1}: base × 2^(attempts − 1), capped, with full jitter. */
    long backoffNanos(int attempts) {
        long base = spec.backoffBase().toNanos();
        long cap = spec.backoffCap().toNanos();
        long delay = attempts >= 62 ? cap : Math.min(cap, base << Math.min(attempts - 1, 40));
        return ThreadLocalRandom.current().nextLong(delay / 2, delay + 1); // jitter in [delay/2, delay]
    }

    /** Executor thread: whether a call may start now; when not, {@link #openUntilNanos()} says until when. */
    boolean admits(long now) {
        if (breaker == Breaker.OPEN && now - openUntilNanos >= 0) {
            breaker = Breaker.HALF_OPEN; // one probe
            breakerState = breaker.ordinal();
            return true;
        }
        return breaker == Breaker.CLOSED || breaker == Breaker.HALF_OPEN && inFlight == 0;
    }

    long openUntilNanos() {
        return openUntilNanos;
    }

    /** Executor thread: an attempt succeeded. */
    void succeeded() {
        consecutiveFailures = 0;
        if (breaker != Breaker.CLOSED) {
            breaker = Breaker.CLOSED;
            breakerState = breaker.ordinal();
        }
    }

    /** Executor thread: an attempt failed (any way); may open the breaker. */
    void failed(long now) {
        consecutiveFailures++;
        if (spec.breakerFailures() > 0 && (breaker == Breaker.HALF_OPEN || consecutiveFailures >= spec.breakerFailures())
            && breaker != Breaker.OPEN) {
            breaker = Breaker.OPEN;
            openUntilNanos = now + spec.breakerOpenFor().toNanos();
            breakerState = breaker.ordinal();
            breakerOpened.incrementRelease();
            LOG.warn("action {}: circuit breaker open for {} ms after {} failures in a row", spec.name(),
                spec.breakerOpenFor().toMillis(), consecutiveFailures);
        }
    }

    /** Closes the Kafka producer, if any (after sending what it holds, for up to 5 s). */
    @Override
    public void close() {
        if (kafka != null) {
            kafkaSender.shutdown();
            kafka.close(Duration.ofSeconds(5));
        }
    }

    /** 0 closed, 1 open, 2 half-open (any thread). */
    int breakerState() {
        return breakerState;
    }
}
