package io.ferrite.testing;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One Apache Kafka broker in KRaft mode (combined broker and controller, node 1) running in this
 * JVM: storage formatted with Kafka's own storage tool in a fresh temporary directory, both
 * listeners on 127.0.0.1 and free ports, replication factor 1, Kafka's default (page-cache) flush
 * policy. For the bench's Kafka peer and for tests of what Ferrite sends to Kafka; a module that
 * uses it declares {@code kafka_2.13} itself (it is optional here).
 *
 * <p>Thread-safety: start and close from one thread; the broker runs on Kafka's own threads.
 */
public final class KafkaBroker implements AutoCloseable {
    private final Path directory;
    private final KafkaRaftServer server;
    private final int port;
    private final boolean temporary;

    private KafkaBroker(Path directory, KafkaRaftServer server, int port, boolean temporary) {
        this.directory = directory;
        this.server = server;
        this.port = port;
        this.temporary = temporary;
    }

    /** Formats storage in a new temporary directory and starts the broker. */
    public static KafkaBroker start() throws IOException {
        return start(0, null, Map.of());
    }

    /**
     * Consumer-group timings short enough for tests and a laptop: a member that stops heartbeating
     * loses its partitions after 6 s (Kafka's default: 45 s), heartbeats every 500 ms.
     */
    public static Map<String, String> quickGroups() {
        return Map.of("group.consumer.session.timeout.ms", "6000", "group.consumer.min.session.timeout.ms", "1000",
            "group.consumer.heartbeat.interval.ms", "500", "group.consumer.min.heartbeat.interval.ms", "100",
            "transaction.abort.timed.out.transaction.cleanup.interval.ms", "2000");
    }

    /**
     * Starts a broker.
     *
     * @param port      the client port, or 0 for a free one
     * @param directory where its logs live (formatted when new, kept on close), or null for a temporary
     *                  directory deleted on close
     * @param overrides broker settings applied last (e.g. {@link #quickGroups()})
     */
    public static KafkaBroker start(int port, Path directory, Map<String, String> overrides) throws IOException {
        boolean temporary = directory == null;
        if (temporary) {
            directory = Files.createTempDirectory("ferrite-kafka-");
        } else {
            Files.createDirectories(directory);
        }
        try {
            int clientPort = port == 0 ? freePort() : port;
            int controllerPort = freePort();
            Properties properties = properties(directory, clientPort, controllerPort);
            overrides.forEach(properties::setProperty);
            Path file = directory.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(file)) {
                properties.store(out, "ferrite bench: single KRaft broker on loopback");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int formatted = StorageTool.execute(new String[] {"format", "-t", clusterId(directory), "-c",
                file.toString(), "--ignore-formatted"}, new PrintStream(output, true, StandardCharsets.UTF_8));
            if (formatted != 0) {
                throw new IllegalStateException("kafka storage format failed: " + output.toString(StandardCharsets.UTF_8));
            }
            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
            server.startup();
            return new KafkaBroker(directory, server, clientPort, temporary);
        } catch (IOException | RuntimeException e) {
            if (temporary) {
                delete(directory);
            }
            throw e;
        }
    }

    private static Properties properties(Path directory, int port, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", directory.resolve("logs").toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        return p;
    }

    /** A new cluster id, or the one a kept directory was formatted with. */
    private static String clusterId(Path directory) throws IOException {
        Path meta = directory.resolve("logs").resolve("meta.properties");
        if (Files.exists(meta)) {
            Properties formatted = new Properties();
            try (var in = Files.newInputStream(meta)) {
                formatted.load(in);
            }
            return formatted.getProperty("cluster.id");
        }
        return Uuid.randomUuid().toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    /** {@code 127.0.0.1:PORT}. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Creates a topic of one partition, replication factor 1, and waits for it. */
    public void createTopic(String topic) throws Exception {
        createTopic(topic, 1);
    }

    /** Creates a topic of {@code partitions} partitions, replication factor 1, and waits for it. */
    public void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (temporary) {
                delete(directory);
            }
        }
    }

    private static void delete(Path directory) {
        try (var files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is not worth failing for
        }
    }
}
