package io.ferrite.bench.engine;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * The plain-JDK peer: an {@link ArrayBlockingQueue} of {@value EventPipe#CAPACITY} from the
 * publisher to one consumer thread, {@code put} and {@code take} (a lock and two conditions: the
 * consumer parks when the queue is empty, the publisher when it is full). Events come from a
 * pre-allocated pool of {@code CAPACITY + 2} {@link BenchEvent}s used round-robin: a slot is
 * refilled only after the consumer has taken the event {@code CAPACITY + 1} places later, so it
 * has finished with it.
 *
 * <p>Thread-safety: publish from one thread; see {@link EventPipe}.
 */
final class BlockingQueuePipe implements EventPipe {
    private static final int TYPE = 7;

    private final ArrayBlockingQueue<BenchEvent> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final BenchEvent[] pool = new BenchEvent[CAPACITY + 2];
    private final HandledCounter counter = new HandledCounter();
    private final byte[] source = new byte[PAYLOAD_LENGTH];
    private final Thread consumer;

    BlockingQueuePipe() {
        for (int i = 0; i < pool.length; i++) {
            pool[i] = new BenchEvent();
        }
        consumer = new Thread(this::consume, "abq-consumer");
        consumer.setDaemon(true);
        consumer.start();
    }

    private void consume() {
        try {
            while (true) {
                counter.handled(queue.take().sequence());
            }
        } catch (InterruptedException e) {
            // close(): stop
        }
    }

    @Override
    public void publish(long sequence) {
        BenchEvent.writeSequence(source, sequence);
        BenchEvent event = pool[(int) (sequence % pool.length)];
        event.fill(0, sequence, TYPE, source);
        try {
            queue.put(event);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", e);
        }
    }

    @Override
    public long handled() {
        return counter.count();
    }

    @Override
    public void awaitHandled(long count) {
        PublisherIdle.awaitCount(counter, count);
    }

    @Override
    public void verifyAndClose(long published) {
        try {
            PublisherIdle.awaitCount(counter, published, VERIFY_TIMEOUT_NANOS);
            counter.verify("ArrayBlockingQueue consumer", published);
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        consumer.interrupt();
        try {
            consumer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
