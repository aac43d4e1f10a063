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
            format(directory, properties, clusterId(directory));
            KafkaRaftServer server = startServer(properties);
            return new KafkaBroker(directory, server, clientPort, temporary);
        } catch (IOException | RuntimeException e) {
            if (temporary) {
                delete(directory);
            }
            throw e;
        }
    }

    private static Properties properties(Path directory, int port, int controllerPort) {
        return properties(1, directory, port, controllerPort, "1@127.0.0.1:" + controllerPort, 1);
    }

    /**
     * A combined broker and controller of a cluster on 127.0.0.1.
     *
     * @param voters   {@code controller.quorum.voters}: {@code ID@127.0.0.1:PORT,...} of every node
     * @param replicas the replication factor of Kafka's internal topics (and their min ISR is one less, at least 1)
     */
    static Properties properties(int nodeId, Path directory, int port, int controllerPort, String voters, int replicas) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(nodeId));
        p.setProperty("controller.quorum.voters", voters);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", directory.resolve("logs").toString());
        p.setProperty("num.partitions", "1");
        String factor = Integer.toString(replicas);
        String minIsr = Integer.toString(Math.max(1, replicas - 1));
        p.setProperty("default.replication.factor", factor);
        p.setProperty("min.insync.replicas", minIsr);
        p.setProperty("offsets.topic.replication.factor", factor);
        p.setProperty("transaction.state.log.replication.factor", factor);
        p.setProperty("transaction.state.log.min.isr", minIsr);
        p.setProperty("share.coordinator.state.topic.replication.factor", factor);
        p.setProperty("share.coordinator.state.topic.min.isr", minIsr);
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        return p;
    }

    /** Formats {@code directory} for node {@code properties} of cluster {@code clusterId} (kept when formatted already). */
    static void format(Path directory, Properties properties, String clusterId) throws IOException {
        Path file = directory.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            properties.store(out, "ferrite test: a KRaft node on loopback");
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int formatted = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", file.toString(),
            "--ignore-formatted"}, new PrintStream(output, true, StandardCharsets.UTF_8));
        if (formatted != 0) {
            throw new IllegalStateException("kafka storage format failed: " + output.toString(StandardCharsets.UTF_8));
        }
    }

    /** Starts a formatted node in this JVM. */
    static KafkaRaftServer startServer(Properties properties) {
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
        server.startup();
        return server;
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

    /** A free TCP port on 127.0.0.1 (free when asked; bind it soon). */
    public static int freePort() throws IOException {
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
