package io.ferrite.kafka;

import io.ferrite.engine.Engine;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class ClientSettingsTest {
    private final KafkaLanes.Settings settings = new KafkaLanes.Settings("127.0.0.1:9", "in", "g", null, "out",
        Guarantee.EXACTLY_ONCE, Duration.ofMillis(100), 1, 1 << 20,
        Map.of("security.protocol", "SSL", "producer.linger.ms", "9", "consumer.max.poll.records", "7",
            "producer.transaction.timeout.ms", "20000"), null, Engine::builder, null);

    @Test
    void aPropertiesFileNameGoesToBothClientsUnlessItsPrefixNamesOne() {
        Properties consumer = settings.consumerProperties();
        Properties producer = settings.producerProperties(new TopicPartition("in", 3));
        assertThat(consumer).containsEntry("security.protocol", "SSL").containsEntry("max.poll.records", "7")
            .containsEntry("group.protocol", "consumer").doesNotContainKey("linger.ms");
        assertThat(producer).containsEntry("security.protocol", "SSL").containsEntry("linger.ms", "9")
            .containsEntry("transaction.timeout.ms", "20000").containsEntry("transactional.id", "ferrite-g-in-3")
            .doesNotContainKey("max.poll.records");
    }
}
