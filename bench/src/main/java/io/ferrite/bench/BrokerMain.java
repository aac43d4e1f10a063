package io.ferrite.bench;

import io.ferrite.testing.KafkaBroker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/ferrite broker}: one Apache Kafka broker (KRaft, combined broker and controller) on
 * 127.0.0.1 for trying Ferrite's Kafka lanes on one machine — the README's scale-out section. Not
 * for production: replication factor 1, the consumer-group timings of
 * {@link KafkaBroker#quickGroups()} (a dead member's partitions move after 6 s).
 *
 * <pre>bin/ferrite broker [--port 9092] [--dir DIR] [--topic NAME:PARTITIONS]...</pre>
 * Prints {@code kafka broker ready on 127.0.0.1:PORT} and runs until SIGTERM/SIGINT.
 *
 * <p>Thread-safety: run from the main thread.
 */
final class BrokerMain {
    private BrokerMain() {
    }

    static int run(String[] args) throws Exception {
        int port = 9092;
        Path directory = null;
        List<String[]> topics = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                System.out.println("usage: ferrite broker [--port 9092] [--dir DIR] [--topic NAME:PARTITIONS]...");
                return 0;
            }
            if (i + 1 >= args.length) {
                System.err.println("ferrite broker: " + flag + " needs a value");
                return 2;
            }
            String value = args[++i];
            switch (flag) {
                case "--port" -> port = Integer.parseInt(value);
                case "--dir" -> directory = Path.of(value);
                case "--topic" -> {
                    String[] parts = value.split(":");
                    if (parts.length != 2 || !parts[1].matches("[1-9][0-9]*")) {
                        System.err.println("ferrite broker: --topic wants NAME:PARTITIONS, was " + value);
                        return 2;
                    }
                    topics.add(parts);
                }
                default -> {
                    System.err.println("ferrite broker: unknown flag " + flag);
                    return 2;
                }
            }
        }
        Map<String, String> overrides = new HashMap<>(KafkaBroker.quickGroups());
        overrides.put("num.partitions", "4");
        KafkaBroker broker = KafkaBroker.start(port, directory, overrides);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stop.countDown();
        }, "broker-stop"));
        for (String[] topic : topics) {
            try {
                broker.createTopic(topic[0], Integer.parseInt(topic[1]));
            } catch (java.util.concurrent.ExecutionException e) {
                System.out.println("kafka topic " + topic[0] + ": " + e.getCause().getMessage());
            }
        }
        System.out.println("kafka broker ready on " + broker.bootstrap()
            + (topics.isEmpty() ? "" : " topics " + String.join(",", topics.stream().map(t -> t[0] + ":" + t[1]).toList())));
        System.out.flush();
        stop.await();
        return 0;
    }
}
