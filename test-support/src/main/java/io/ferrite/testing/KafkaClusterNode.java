package io.ferrite.testing;

import kafka.server.KafkaRaftServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * One node (combined broker and controller, KRaft) of a Kafka cluster on 127.0.0.1, as a process of
 * its own, so a test can kill -9 a broker: {@code ChildJvm.start(KafkaClusterNode.class, ...)}.
 * Arguments: {@code NODE_ID CLIENT_PORT CONTROLLER_PORT VOTERS DIRECTORY CLUSTER_ID REPLICAS [NAME=VALUE]...}
 * (VOTERS as {@code controller.quorum.voters}; the trailing settings override the defaults, e.g.
 * shorter session timeouts). Prints {@code kafka node N ready on 127.0.0.1:PORT} once serving, then
 * runs until killed (SIGTERM shuts it down cleanly).
 *
 * <p>Thread-safety: a main.
 */
public final class KafkaClusterNode {
    private KafkaClusterNode() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 7) {
            throw new IllegalArgumentException("usage: NODE_ID CLIENT_PORT CONTROLLER_PORT VOTERS DIRECTORY CLUSTER_ID"
                + " REPLICAS [NAME=VALUE]...");
        }
        int nodeId = Integer.parseInt(args[0]);
        int port = Integer.parseInt(args[1]);
        Path directory = Files.createDirectories(Path.of(args[4]));
        Properties properties = KafkaBroker.properties(nodeId, directory, port, Integer.parseInt(args[2]), args[3],
            Integer.parseInt(args[6]));
        for (int i = 7; i < args.length; i++) {
            int equals = args[i].indexOf('=');
            properties.setProperty(args[i].substring(0, equals), args[i].substring(equals + 1));
        }
        KafkaBroker.format(directory, properties, args[5]);
        KafkaRaftServer server = KafkaBroker.startServer(properties);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "kafka-node-stop"));
        System.out.println("kafka node " + nodeId + " ready on 127.0.0.1:" + port);
        System.out.flush();
        server.awaitShutdown();
    }
}
