package io.ferrite.concurrent;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressTest {

    @Test
    void singleWriterOperationsAndCompareAndSet() {
        Progress progress = new Progress(5);
        assertThat(progress.getAcquire()).isEqualTo(5);
        assertThat(progress.incrementRelease()).isEqualTo(6);
        assertThat(progress.addRelease(10)).isEqualTo(16);
        progress.setRelease(3);
        assertThat(progress.getPlain()).isEqualTo(3);
        assertThat(progress.compareAndSet(4, 9)).isFalse();
        assertThat(progress.compareAndSet(3, 9)).isTrue();
        assertThat(progress.getVolatile()).isEqualTo(9);
        assertThat(progress).hasToString("9");
    }

    /**
     * The hand-off every user relies on: plain writes, then a release of the position; a reader
     * that acquires position p sees everything written for positions below p. (x86 orders stores
     * anyway; this catches a broken publication order on weaker machines and in the JIT's reordering.)
     */
    @Test
    void whatIsWrittenBeforeAReleaseIsSeenAfterTheAcquire() throws Exception {
        int count = 2_000_000;
        long[] slots = new long[1 << 10];
        Progress published = new Progress();
        Progress consumed = new Progress();
        AtomicReference<String> failure = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            long next = 0;
            while (next < count) {
                long available = published.getAcquire();
                for (; next < available; next++) {
                    long seen = slots[(int) next & (slots.length - 1)];
                    if (seen != next) {
                        failure.compareAndSet(null, "slot of " + next + " held " + seen);
                        return;
                    }
                }
                consumed.setRelease(next);
                Thread.onSpinWait();
            }
        });
        for (long i = 0; i < count; i++) {
            while (i - consumed.getAcquire() >= slots.length) {
                Thread.onSpinWait();
            }
            slots[(int) i & (slots.length - 1)] = i;
            published.setRelease(i + 1);
        }
        reader.join();
        assertThat(failure.get()).isNull();
        assertThat(consumed.getAcquire()).isEqualTo(count);
    }
}
