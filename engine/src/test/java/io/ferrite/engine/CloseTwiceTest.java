package io.ferrite.engine;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A second close returns the first close's outcome: its report, or — when the first close threw —
 * that failure, at once. (It used to spin for ever waiting for a report the failed close never set.)
 */
class CloseTwiceTest {

    @Test
    void aSecondCloseReturnsTheFirstReport() {
        Engine engine = Engine.builder().durability(Durability.MEMORY).stage("only", new RecordingHandler()).build();
        CloseReport first = engine.closeAndReport();
        assertThat(engine.closeAndReport()).isSameAs(first);
    }

    @Test
    void aSecondCloseAfterAFailedFirstCloseFailsToo() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        AutoCloseable failing = () -> {
            closes.incrementAndGet();
            throw new AssertionError("a resource that cannot close");
        };
        Engine engine = Engine.builder().durability(Durability.MEMORY).closeTimeout(Duration.ofSeconds(2))
            .stage("only", new RecordingHandler()).closeWith(failing).build();
        assertThatThrownBy(engine::closeAndReport).isInstanceOf(AssertionError.class)
            .hasMessage("a resource that cannot close");
        CompletableFuture<Throwable> second = CompletableFuture.supplyAsync(() -> {
            try {
                engine.close();
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        assertThat(second.get(10, TimeUnit.SECONDS)).as("the second close's outcome")
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("first close failed")
            .hasCauseInstanceOf(AssertionError.class);
        assertThat(closes).as("the resource is closed once").hasValue(1);
    }

    @Test
    void resourcesGivenToTheBuilderCloseAfterTheStagesInReverseOrder() {
        StringBuilder order = new StringBuilder();
        RecordingHandler handler = new RecordingHandler();
        Engine engine = Engine.builder().durability(Durability.MEMORY).stage("only", handler)
            .closeWith(() -> order.append("first;")).closeWith(() -> order.append(handler.closed() ? "second;" : "early;"))
            .build();
        engine.close();
        assertThat(order).hasToString("second;first;");
    }
}
