package io.ferrite.bench.engine;

/**
 * One system under test: the JMH thread publishes numbered events into it and consumer threads
 * handle them. Implementations: {@link FerritePipe}, {@link DisruptorPipe},
 * {@link BlockingQueuePipe}, {@link ChronicleTailerPipe}.
 *
 * <p>Thread-safety: {@link #publish} from one thread (the benchmark's); {@link #handled()} from
 * any thread; {@link #close()} once, from the publishing thread.
 */
interface EventPipe extends AutoCloseable {
    /** Payload bytes of every event. */
    int PAYLOAD_LENGTH = 64;
    /** Events in flight at most: the engine's capacity, the Disruptor's ring, the queue's bound. */
    int CAPACITY = 1 << 16;
    /** How long {@link #verifyAndClose} waits for the consumers to catch up before it fails. */
    long VERIFY_TIMEOUT_NANOS = 30_000_000_000L;

    /**
     * Publishes the event numbered {@code sequence} (0, 1, 2, ...; stored in the first 8 payload
     * bytes), waiting out back pressure; returns once it is accepted.
     */
    void publish(long sequence);

    /** Events handled by the last consumer so far (acquire load). */
    long handled();

    /** Waits until the last consumer has handled {@code count} events. */
    void awaitHandled(long count);

    /** Checks every consumer handled exactly {@code published} events, then stops and frees everything. */
    void verifyAndClose(long published);

    @Override
    void close();
}
