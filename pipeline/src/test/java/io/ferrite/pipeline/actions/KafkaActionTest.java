package io.ferrite.pipeline.actions;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.Stages;
import io.ferrite.testing.Await;
import io.ferrite.testing.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kafka action against a real KRaft broker in this JVM: each matched event becomes one record,
 * keyed by its idempotency key, read back by a {@code read_committed} consumer; when the broker
 * goes away, attempts time out, are retried and end in the dead letters, and the stage goes on.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KafkaActionTest {
    @Test
    void eachEventBecomesOneRecordKeyedByItsIdempotencyKey() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start()) {
            broker.createTopic("orders");
            var pipeline = PipelineFile.parse("k.yaml", """
                actions:
                  - name: to-kafka
                    kafka: {bootstrap: '%s', topic: orders}
                    timeout: 20s
                stages:
                  - name: out
                    actions: [to-kafka]
                    route: {type: 1}
                """.formatted(broker.bootstrap()));
            List<Stages.Built> stages = Stages.build(pipeline, Stages.loader(List.of()));
            try (Engine engine = Stages.addTo(Engine.builder().durability(Durability.MEMORY), stages).build()) {
                MemorySegment payload = MemorySegment.ofArray(new byte[] {42});
                for (long key = 1; key <= 50; key++) {
                    engine.publish(key % 10 == 0 ? 2 : 1, key, 500 + key, 0, payload, 0, 1); // type 2: no record
                }
                ActionStage actions = Stages.actionStages(stages).getFirst();
                Await.until("45 records produced", Duration.ofSeconds(60), () -> actions.figures("to-kafka")[0] == 45,
                    () -> java.util.Arrays.toString(actions.figures("to-kafka")));
            }
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "kafka-action-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("orders"));
                Await.until("45 records read back", Duration.ofSeconds(60), () -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                    return records.size() >= 45;
                });
            }
            assertThat(records).hasSize(45);
            assertThat(records).extracting(ConsumerRecord::key).doesNotHaveDuplicates().contains("501-to-kafka")
                .doesNotContain("510-to-kafka");
            assertThat(records.getFirst().value()).contains("\"eventId\":501", "\"action\":\"to-kafka\"", "\"payload\":\"Kg==\"");
        }
    }

    @Test
    void whenTheBrokerGoesAwayAttemptsTimeOutAndTheActionsAreDeadLettered() throws Exception {
        KafkaBroker broker = KafkaBroker.start();
        boolean brokerClosed = false;
        try {
            broker.createTopic("orders");
            var pipeline = PipelineFile.parse("k.yaml", """
                actions:
                  - name: to-kafka
                    kafka: {bootstrap: '%s', topic: orders}
                    timeout: 1500ms
                    retries: {attempts: 2, base: 10ms, cap: 20ms}
                    breaker: {failures: 0}
                stages:
                  - name: out
                    actions: [to-kafka]
                """.formatted(broker.bootstrap()));
            List<Stages.Built> stages = Stages.build(pipeline, Stages.loader(List.of()));
            List<Long> handledAfter = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (Engine engine = Stages.addTo(Engine.builder().durability(Durability.MEMORY), stages)
                .stage("after", (event, index, endOfBatch) -> handledAfter.add(event.key())).build()) {
                MemorySegment payload = MemorySegment.ofArray(new byte[] {42});
                ActionStage actions = Stages.actionStages(stages).getFirst();
                for (long key = 1; key <= 10; key++) {
                    engine.publish(1, key, key, 0, payload, 0, 1);
                }
                Await.until("10 records produced", Duration.ofSeconds(60), () -> actions.figures("to-kafka")[0] == 10);

                broker.close();
                brokerClosed = true;
                for (long key = 11; key <= 15; key++) {
                    engine.publish(1, key, key, 0, payload, 0, 1);
                }
                Await.until("the 5 actions without a broker dead-lettered", Duration.ofSeconds(60),
                    () -> actions.figures("to-kafka")[4] == 5, () -> java.util.Arrays.toString(actions.figures("to-kafka")));
                long[] figures = actions.figures("to-kafka"); // succeeded, failed attempts, retried, timed out, dead-lettered
                assertThat(figures[0]).isEqualTo(10);
                assertThat(figures[3]).as("every attempt without a broker timed out").isEqualTo(10);
                assertThat(figures[2]).as("each retried once").isEqualTo(5);
                Await.until("the next stage saw all 15 (given up is finished)", Duration.ofSeconds(10),
                    () -> handledAfter.size() == 15);
                assertThat(handledAfter).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 15).boxed().toList());
            }
        } finally {
            if (!brokerClosed) {
                broker.close();
            }
        }
    }
}
