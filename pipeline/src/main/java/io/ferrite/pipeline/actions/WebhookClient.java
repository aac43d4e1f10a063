package io.ferrite.pipeline.actions;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.timeout.ReadTimeoutException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP client of webhook actions: reactor-netty on one Netty event loop of its own, with a
 * pool of keep-alive connections as large as the calls the stage lets in flight. Chosen over the
 * JDK HttpClient by measurement (the bench's {@code actions.http.*} peers: 1.7× the calls per
 * second at half the allocation against a fast receiver).
 *
 * <p>Every call has a deadline over its whole course (pool, connect, request, response); its end
 * reaches {@link Answer} on the event loop or the timer's thread, exactly once.
 *
 * <p>Thread-safety: {@link #send} from any thread; close once, after the last call ended.
 */
final class WebhookClient implements AutoCloseable {
    /** How a call ended: an HTTP status (and its Retry-After header, or null), or an error. */
    @FunctionalInterface
    interface Answer {
        void ended(int status, String retryAfter, Throwable error);
    }

    private final ConnectionProvider connections;
    private final LoopResources loop;
    private final HttpClient client;

    /**
     * @param maxConnections keep-alive connections at most (calls beyond wait for one)
     * @param connectTimeout how long a connection may take to open
     */
    WebhookClient(String name, int maxConnections, Duration connectTimeout) {
        this.connections = ConnectionProvider.builder("ferrite-" + name).maxConnections(Math.max(1, maxConnections))
            .pendingAcquireMaxCount(-1).maxIdleTime(Duration.ofSeconds(30)).build();
        this.loop = LoopResources.create("ferrite-" + name + "-http", 1, true);
        this.client = HttpClient.create(connections).runOn(loop)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    }

    /**
     * Sends one request; {@code answer} gets its end. A deadline that passes is reported as a
     * {@link TimeoutException}.
     *
     * @param headers name, value, name, value…
     * @param body    the body, or null for none
     */
    void send(String method, String url, List<String> headers, byte[] body, Duration deadline, Answer answer) {
        client.request(HttpMethod.valueOf(method)).uri(url)
            .send((request, outbound) -> {
                for (int i = 0; i + 1 < headers.size(); i += 2) {
                    request.header(headers.get(i), headers.get(i + 1));
                }
                if (body == null) {
                    return outbound;
                }
                request.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
                return outbound.send(Mono.just(Unpooled.wrappedBuffer(body)));
            })
            .responseSingle((response, content) -> content.then(Mono.fromSupplier(() ->
                new Response(response.status().code(), response.responseHeaders().get("Retry-After")))))
            .timeout(deadline)
            .subscribe(response -> answer.ended(response.status, response.retryAfter, null),
                error -> answer.ended(-1, null, error));
    }

    /** Whether an error means the deadline passed (not a failure of the receiver). */
    static boolean isTimeout(Throwable error) {
        return error instanceof TimeoutException || error instanceof ReadTimeoutException;
    }

    private record Response(int status, String retryAfter) {
    }

    @Override
    public void close() {
        connections.disposeLater().block(Duration.ofSeconds(5));
        loop.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(6));
    }
}
