package io.ferrite.cli;

import io.ferrite.engine.Durations;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.kafka.Guarantee;
import io.ferrite.kafka.KafkaLanes;
import io.ferrite.kafka.KafkaRelay;
import io.ferrite.pipeline.Stages;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code ferrite run}'s Kafka flags: joining a consumer group as lanes ({@code --kafka-topic}), and
 * forwarding accepted events to a topic ({@code --forward-kafka}). Every wrong value is an
 * {@link IllegalArgumentException} naming the flag, before anything starts.
 *
 * <p>Thread-safety: picocli fills the fields; read on the command's thread.
 */
final class KafkaOptions {
    @Option(names = "--kafka-bootstrap", description = "Kafka brokers, HOST:PORT[,HOST:PORT...]: for --kafka-topic and"
        + " --forward-kafka.")
    String bootstrap;

    @Option(names = "--kafka-topic", description = "Join --kafka-group and run a lane (its own journal, dedup window and"
        + " stages) for each partition of this topic Kafka assigns this node.")
    String topic;

    @Option(names = "--kafka-group", description = "The consumer group the nodes share (KIP-848 protocol).")
    String group;

    @Option(names = "--kafka-instance-id", description = "Static membership (group.instance.id): a restart within the"
        + " session timeout keeps this node's partitions. Give each node its own.")
    String instanceId;

    @Option(names = "--kafka-output-topic", description = "Where each event's output goes (key, payload, eventId header),"
        + " in the same transaction as the input offsets; none: offsets only.")
    String outputTopic;

    @Option(names = "--kafka-guarantee", defaultValue = "exactly-once", description = "exactly-once (outputs and offsets"
        + " in one transaction) | at-least-once (default ${DEFAULT-VALUE}).")
    String guarantee;

    @Option(names = "--kafka-commit-interval", defaultValue = "100ms", description = "How often each lane commits"
        + " (default ${DEFAULT-VALUE}).")
    String commitInterval;

    @Option(names = "--kafka-type", defaultValue = "1", description = "The event type of records without a"
        + " ferrite-type header (default ${DEFAULT-VALUE}).")
    int defaultType;

    @Option(names = "--kafka-max-record", defaultValue = "1048576", description = "The largest record value a lane"
        + " takes, bytes; larger ones are logged and skipped (default ${DEFAULT-VALUE}).")
    int maxRecord;

    @Option(names = "--kafka-properties", description = "A Java properties file of further Kafka client settings"
        + " (security, timeouts); names prefixed consumer. or producer. go to that client only.")
    Path properties;

    @Option(names = "--forward-kafka", description = "Forward every accepted event to this topic (idempotent producer,"
        + " acks=all, eventId in a header).")
    String forwardTopic;

    @Option(names = "--forward-ack", defaultValue = "journal", description = "With --forward-kafka, when a client gets its"
        + " ACK: journal (once journaled; forwarded after, at least once) | kafka (once Kafka acknowledged it)"
        + " (default ${DEFAULT-VALUE}).")
    String forwardAck;

    /** Whether the node joins a group. */
    boolean lanes() {
        return topic != null || group != null;
    }

    /** Checks the flags that do not need anything else; call before anything starts. */
    void check() {
        if (lanes() && (topic == null || group == null)) {
            throw new IllegalArgumentException("--kafka-topic and --kafka-group go together");
        }
        if ((lanes() || forwardTopic != null) && (bootstrap == null || bootstrap.isBlank())) {
            throw new IllegalArgumentException((lanes() ? "--kafka-topic" : "--forward-kafka")
                + " needs --kafka-bootstrap HOST:PORT");
        }
        if (!lanes() && (outputTopic != null || instanceId != null)) {
            throw new IllegalArgumentException((outputTopic != null ? "--kafka-output-topic" : "--kafka-instance-id")
                + " needs --kafka-topic and --kafka-group");
        }
        forwardAckMode();
        guarantee();
        clientProperties();
    }

    KafkaRelay.Ack forwardAckMode() {
        try {
            return KafkaRelay.Ack.parse(forwardAck);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--forward-ack: " + e.getMessage());
        }
    }

    private Guarantee guarantee() {
        try {
            return Guarantee.parse(guarantee);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--kafka-guarantee: " + e.getMessage());
        }
    }

    Map<String, String> clientProperties() {
        if (properties == null) {
            return Map.of();
        }
        Properties read = new Properties();
        try (Reader reader = Files.newBufferedReader(properties)) {
            read.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("--kafka-properties " + properties + ": cannot read it ("
                + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()) + ")");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--kafka-properties " + properties + ": " + e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        read.stringPropertyNames().stream().sorted().forEach(name -> values.put(name, read.getProperty(name)));
        return values;
    }

    /** The lanes' settings; {@code lanesDirectory} null for memory durability. */
    KafkaLanes.Settings settings(Path lanesDirectory, Supplier<EngineBuilder> laneEngine,
                                 Function<Path, List<Stages.Built>> laneStages) {
        Duration interval;
        try {
            interval = Durations.parse(commitInterval);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--kafka-commit-interval: " + e.getMessage());
        }
        return new KafkaLanes.Settings(bootstrap, topic, group, instanceId, outputTopic, guarantee(), interval,
            defaultType, maxRecord, clientProperties(), lanesDirectory, laneEngine, laneStages);
    }

    /** The relay stage for {@code --forward-kafka}, or null. */
    KafkaRelay relay() {
        return forwardTopic == null ? null : new KafkaRelay(bootstrap, forwardTopic, 65_536, clientProperties());
    }
}
