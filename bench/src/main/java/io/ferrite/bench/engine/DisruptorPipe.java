package io.ferrite.bench.engine;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.EventHandlerGroup;
import com.lmax.disruptor.dsl.ProducerType;

import java.util.concurrent.ThreadFactory;

/**
 * LMAX Disruptor 4 peer: a ring of {@value EventPipe#CAPACITY} pre-allocated {@link BenchEvent}s,
 * claimed with {@link RingBuffer#next()} (which itself waits out a full ring), filled in place,
 * published. Consumers use {@link YieldingWaitStrategy} (spin 100, then yield), the peer of
 * Ferrite's {@code IdleKind.YIELD}.
 *
 * <p>Shapes: {@code stages} counting handlers chained ({@code handleEventsWith(a).then(b).then(c)},
 * one thread each), or, with {@code oneThread}, one processor that calls them in turn (the peer of
 * Ferrite's FUSED threading). {@link ProducerType#SINGLE} is the classic 1P setup (no CAS on claim);
 * {@link ProducerType#MULTI} claims with an atomic add, as Ferrite's any-thread publish must.
 *
 * <p>Thread-safety: publish from one thread; see {@link EventPipe}.
 */
final class DisruptorPipe implements EventPipe {
    private static final int TYPE = 7;

    private final Disruptor<BenchEvent> disruptor;
    private final RingBuffer<BenchEvent> ring;
    private final HandledCounter[] counters;
    private final HandledCounter last;
    private final byte[] source = new byte[PAYLOAD_LENGTH];

    DisruptorPipe(ProducerType producerType, int stages, boolean oneThread) {
        ThreadFactory threads = task -> {
            Thread thread = new Thread(task, "disruptor-consumer");
            thread.setDaemon(true);
            return thread;
        };
        disruptor = new Disruptor<>(BenchEvent::new, CAPACITY, threads, producerType, new YieldingWaitStrategy());
        counters = new HandledCounter[stages];
        CountingHandler[] handlers = new CountingHandler[stages];
        for (int k = 0; k < stages; k++) {
            counters[k] = new HandledCounter();
            handlers[k] = new CountingHandler(counters[k]);
        }
        last = counters[stages - 1];
        if (oneThread) {
            disruptor.handleEventsWith(new SequentialHandlers(handlers));
        } else {
            EventHandlerGroup<BenchEvent> group = disruptor.handleEventsWith(handlers[0]);
            for (int k = 1; k < stages; k++) {
                group = group.then(handlers[k]);
            }
        }
        ring = disruptor.start();
    }

    @Override
    public void publish(long sequence) {
        BenchEvent.writeSequence(source, sequence);
        long slot = ring.next();
        ring.get(slot).fill(0, sequence, TYPE, source);
        ring.publish(slot);
    }

    @Override
    public long handled() {
        return last.count();
    }

    @Override
    public void awaitHandled(long count) {
        PublisherIdle.awaitCount(last, count);
    }

    @Override
    public void verifyAndClose(long published) {
        try {
            PublisherIdle.awaitCount(last, published, VERIFY_TIMEOUT_NANOS);
            for (int k = 0; k < counters.length; k++) {
                counters[k].verify("disruptor handler " + k, published);
            }
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        disruptor.halt();
    }

    /** Adds the event's sequence number to its counter. */
    private static final class CountingHandler implements EventHandler<BenchEvent> {
        private final HandledCounter counter;

        CountingHandler(HandledCounter counter) {
            this.counter = counter;
        }

        @Override
        public void onEvent(BenchEvent event, long sequence, boolean endOfBatch) {
            counter.handled(event.sequence());
        }
    }

    /** Several handlers on one processor thread, each called in turn for every event. */
    private static final class SequentialHandlers implements EventHandler<BenchEvent> {
        private final CountingHandler[] handlers;

        SequentialHandlers(CountingHandler[] handlers) {
            this.handlers = handlers;
        }

        @Override
        public void onEvent(BenchEvent event, long sequence, boolean endOfBatch) {
            for (CountingHandler handler : handlers) {
                handler.onEvent(event, sequence, endOfBatch);
            }
        }
    }
}
