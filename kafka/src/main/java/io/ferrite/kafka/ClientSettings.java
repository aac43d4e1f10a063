package io.ferrite.kafka;

import java.util.Map;
import java.util.Properties;

/**
 * The Kafka client settings Ferrite starts from, and how a {@code --kafka-properties} file is laid
 * over them: a name prefixed {@code consumer.} or {@code producer.} goes to that client only (the
 * prefix dropped), any other name to both.
 *
 * <p>Thread-safety: stateless.
 */
final class ClientSettings {
    private static final String CONSUMER = "consumer.";
    private static final String PRODUCER = "producer.";

    private ClientSettings() {
    }

    /** An idempotent producer of byte arrays, acks=all, waiting up to {@code lingerMs} to fill a batch. */
    static Properties producer(String bootstrap, int lingerMs) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("linger.ms", Integer.toString(lingerMs));
        p.put("batch.size", "65536");
        p.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        p.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        return p;
    }

    /** Lays the file's producer settings over {@code p}. */
    static Properties withProducerFile(Properties p, Map<String, String> file) {
        return layered(p, file, PRODUCER, CONSUMER);
    }

    /** Lays the file's consumer settings over {@code p}. */
    static Properties withConsumerFile(Properties p, Map<String, String> file) {
        return layered(p, file, CONSUMER, PRODUCER);
    }

    private static Properties layered(Properties p, Map<String, String> file, String own, String other) {
        file.forEach((name, value) -> {
            if (!name.startsWith(other)) {
                p.put(name.startsWith(own) ? name.substring(own.length()) : name, value);
            }
        });
        return p;
    }
}
