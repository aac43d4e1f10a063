package io.ferrite.pipeline.actions;

import io.ferrite.engine.EventView;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one action again for one dead-lettered event ({@code ferrite dlq replay}): the same call
 * (same {@code Idempotency-Key}), with the action's retries and backoff, synchronously.
 *
 * <p>Thread-safety: one replay per instance at a time; close it when done.
 */
public final class ActionReplay implements AutoCloseable {
    private final WebhookClient http = new WebhookClient("dlq-replay", 1, Duration.ofSeconds(30));
    private final ExecutorService files = Executors.newSingleThreadExecutor();

    /**
     * @param record the dead letter's whole journal record
     * @return null when the action succeeded, else the last error
     */
    public String replay(ActionSpec spec, byte[] record) throws InterruptedException {
        try (ActionRunner runner = new ActionRunner(spec, http, files)) {
            return replay(runner, spec, record);
        }
    }

    private String replay(ActionRunner runner, ActionSpec spec, byte[] record) throws InterruptedException {
        EventView view = new EventView().wrap(MemorySegment.ofArray(record), 0, record.length);
        Call call = new Call(new ActionEvent(0, -1, view, 1), runner, 0);
        while (true) {
            CompletableFuture<Attempt> ended = new CompletableFuture<>();
            runner.start(call, ended::complete);
            Attempt attempt;
            try {
                attempt = ended.get(spec.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return String.valueOf(e);
            }
            switch (attempt.outcome()) {
                case SUCCESS -> {
                    return null;
                }
                case FAIL -> {
                    return attempt.error();
                }
                case RETRY, TIMEOUT -> {
                    if (call.attempts >= spec.attempts()) {
                        return attempt.error();
                    }
                    long delay = attempt.retryAfterNanos() >= 0 ? attempt.retryAfterNanos() : runner.backoffNanos(call.attempts);
                    Thread.sleep(Duration.ofNanos(delay));
                }
            }
        }
    }

    /** The action named in a dead letter's error ({@code action NAME gave up after ...}), or null. */
    public static String actionOf(String error) {
        if (error == null) {
            return null;
        }
        int at = error.indexOf("action ");
        int end = error.indexOf(" gave up after ");
        return at < 0 || end < at ? null : error.substring(at + "action ".length(), end);
    }

    @Override
    public void close() {
        http.close();
        files.shutdown();
    }
}
