package io.ferrite.pipeline.actions;

import java.time.Duration;
import java.util.Map;

/**
 * One action as the pipeline file declares it: what it does (an HTTP call, a line appended to a
 * file, a log line) and how it is run (timeout, retries, circuit breaker, parallelism).
 *
 * <p>Thread-safety: immutable.
 *
 * @param name           unique name; with the eventId, the idempotency key of each call
 * @param kind           what it does
 * @param target         the URL template ({@code {key}}, {@code {type}}, {@code {eventId}}), the file, the log
 *                       level, or the Kafka topic
 * @param method         HTTP method (POST, PUT, GET...)
 * @param headers        extra HTTP headers
 * @param body           what an HTTP call sends
 * @param timeout        how long one attempt may take
 * @param attempts       attempts in all, at least 1
 * @param backoffBase    the first retry's delay before jitter
 * @param backoffCap     the largest delay
 * @param breakerFailures consecutive failures that open the breaker (0: no breaker)
 * @param breakerOpenFor  how long an open breaker holds calls back before one probe
 * @param maxParallelism calls of this action in flight at most
 * @param bootstrap      for Kafka: the brokers ({@code host:port,...}); else null
 * @param where          {@code file:line}
 */
public record ActionSpec(String name, Kind kind, String target, String method, Map<String, String> headers, Body body,
                         Duration timeout, int attempts, Duration backoffBase, Duration backoffCap, int breakerFailures,
                         Duration breakerOpenFor, int maxParallelism, String bootstrap, String where) {
    public ActionSpec {
        headers = Map.copyOf(headers);
    }

    /** This action as declared anywhere: the same but for its line (a reload compares actions so). */
    public ActionSpec anywhere() {
        return new ActionSpec(name, kind, target, method, headers, body, timeout, attempts, backoffBase, backoffCap,
            breakerFailures, breakerOpenFor, maxParallelism, bootstrap, "");
    }

    /** What an action does. */
    public enum Kind {
        /** An HTTP call (a webhook). */
        HTTP,
        /** One JSON line appended to a file. */
        FILE,
        /** One log line. */
        LOG,
        /** One record produced to a Kafka topic (idempotent producer, acks=all), keyed by the idempotency key. */
        KAFKA
    }

    /** What an HTTP call sends. */
    public enum Body {
        /** The event as a JSON object (header fields, payload in base64). */
        EVENT,
        /** The payload's bytes as they are. */
        PAYLOAD,
        /** Nothing. */
        NONE
    }
}
