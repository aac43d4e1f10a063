package io.ferrite.bench.tcp;

import io.ferrite.bench.suite.Scenario;
import io.ferrite.engine.Durability;
import io.ferrite.kafka.KafkaRelay;
import io.ferrite.transport.server.TransportKind;
import io.ferrite.transport.tls.TlsProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Names and builds the TCP scenarios. Names: {@code tcp.max.<transport>.<durability>.c<N>},
 * {@code tcp.rate<R>.<transport>.<durability>.c<N>} (R = 10k, 100k, 1m),
 * {@code peer.netty.<transport>.c<N>} and {@code peer.rtt}.
 *
 * <p>Thread-safety: stateless.
 */
public final class TcpScenarios {
    private TcpScenarios() {
    }

    /** Ferrite's server end to end; {@code rate} 0 = maximum throughput. */
    public static Scenario ferrite(TransportKind transport, Durability durability, int connections, double rate) {
        String mode = durability.name().toLowerCase(Locale.ROOT);
        String name = (rate > 0 ? "tcp.rate" + rateLabel(rate) : "tcp.max") + "." + transport.cliName() + "." + mode
            + ".c" + connections;
        List<String> peers = new ArrayList<>();
        String description;
        if (rate > 0) {
            peers.add("peer.rtt");
            description = String.format(Locale.ROOT, "FerriteServer (%s, %s) <- LoadGenerator, %d connection(s), "
                + "64-byte events open loop at %s/s, CO-corrected ACK latency", transport.cliName(), mode, connections,
                rateLabel(rate));
        } else {
            peers.add("peer.netty." + transport.cliName() + ".c" + connections);
            peers.add("peer.chronicle.append");
            peers.add(durability == Durability.SYNC ? "peer.kafka.acksall" : "peer.kafka.acks1");
            description = String.format(Locale.ROOT, "FerriteServer (%s, %s) <- LoadGenerator, %d connection(s), "
                + "64-byte events as fast as ACKs allow", transport.cliName(), mode, connections);
        }
        return new LoadScenario(name, rate > 0 ? "tcp-rate" : "tcp-max", description, peers, rate, connections,
            () -> new FerriteTarget(transport, durability), NettyTransports.unavailableReason(transport));
    }

    /**
     * Diagnostic: Ferrite's server at maximum throughput with the dedup window off
     * ({@code tcp.max.<transport>.async-nodedup.c<N>}), to show what the window costs end to end.
     */
    public static Scenario ferriteWithoutDedup(TransportKind transport, int connections) {
        String name = "tcp.max." + transport.cliName() + ".async-nodedup.c" + connections;
        String description = String.format(Locale.ROOT, "FerriteServer (%s, async, dedup window off) <- LoadGenerator, "
            + "%d connection(s), 64-byte events as fast as ACKs allow", transport.cliName(), connections);
        return new LoadScenario(name, "tcp-max", description,
            List.of("tcp.max." + transport.cliName() + ".async.c" + connections, "peer.chronicle.append"), 0, connections,
            () -> new FerriteTarget(transport, Durability.ASYNC, false, null, FerriteTarget.Metrics.DEFAULT),
            NettyTransports.unavailableReason(transport));
    }

    /** The 3-stage pipeline of {@link #ferritePipeline}: two routed stages behind policies, as a server file has them. */
    static final String PIPELINE3 = """
        stages:
          - name: audit
            use: discard
          - name: orders
            use: discard
            route: {type: [1, 2, 3], priority: {max: 2}}
          - name: urgent
            use: discard
            route: {priority: 0, key: {min: 0}}
        policies:
          - name: no-test-types
            when: {type: [900, 901, 902]}
            then: deny
          - name: no-low-priority-type-7
            when: {type: 7, priority: 3}
            then: deny
        """;

    /**
     * A server running a pipeline ({@code tcp.max.<transport>.async-pipeline3.c<N>}): the admission
     * policies on every event, then three routed stages ({@link #PIPELINE3}), against the same server
     * with one no-op stage. Target: ≥ 0.8× of it.
     */
    public static Scenario ferritePipeline(TransportKind transport, int connections) {
        String name = "tcp.max." + transport.cliName() + ".async-pipeline3.c" + connections;
        String description = String.format(Locale.ROOT, "FerriteServer (%s, async, policies at ingest + 3 routed stages)"
            + " <- LoadGenerator, %d connection(s), 64-byte events as fast as ACKs allow", transport.cliName(), connections);
        return new LoadScenario(name, "tcp-max", description,
            List.of("tcp.max." + transport.cliName() + ".async.c" + connections), 0, connections,
            () -> new FerriteTarget(transport, Durability.ASYNC, true, null, FerriteTarget.Metrics.DEFAULT, PIPELINE3),
            NettyTransports.unavailableReason(transport));
    }

    /** A webhook action stage whose route matches none of the load's events (type 1): what an idle action stage costs. */
    static final String ACTIONS_NO_MATCH = """
        actions:
          - name: hook
            http: {url: 'http://127.0.0.1:9/never/{key}'}
        stages:
          - name: out
            actions: [hook]
            route: {type: 999}
        """;

    /**
     * Ingest with an action stage that the events do not match ({@code tcp.max.<transport>.async-actions-idle.c<N>})
     * against the plain server: events that fire no action must not pay for the actions (target ≥ 0.95×).
     */
    public static Scenario ferriteActionsNoMatch(TransportKind transport, int connections) {
        String name = "tcp.max." + transport.cliName() + ".async-actions-idle.c" + connections;
        String description = String.format(Locale.ROOT, "FerriteServer (%s, async, an action stage matching no event)"
            + " <- LoadGenerator, %d connection(s), 64-byte events as fast as ACKs allow", transport.cliName(), connections);
        return new LoadScenario(name, "tcp-max", description,
            List.of("tcp.max." + transport.cliName() + ".async.c" + connections), 0, connections,
            () -> new FerriteTarget(transport, Durability.ASYNC, true, null, FerriteTarget.Metrics.DEFAULT, ACTIONS_NO_MATCH),
            NettyTransports.unavailableReason(transport));
    }

    /** The query index stage, and a one-second window per key, each beside the plain server. */
    static final String INDEX = """
        stages:
          - name: index
            use: index
        """;
    static final String WINDOWS = """
        stages:
          - name: per-key
            use: window
            with: {group-by: key, size: 1s, grace: 200ms, emit: log}
        """;

    /**
     * Ingest with the query index ({@code tcp.max.<transport>.async-index.c<N>}) or a window per key
     * ({@code ...async-windows...}) as the server's stage, against the plain server: whether the
     * stage keeps up with the ingest (its lag is printed at the end of each trial).
     */
    public static Scenario ferriteIndexOrWindows(TransportKind transport, boolean index, int connections) {
        String name = "tcp.max." + transport.cliName() + ".async-" + (index ? "index" : "windows") + ".c" + connections;
        String description = String.format(Locale.ROOT, "FerriteServer (%s, async, %s) <- LoadGenerator, %d connection(s),"
            + " 64-byte events as fast as ACKs allow", transport.cliName(), index ? "the query index stage"
            : "a 1-s window per key", connections);
        return new LoadScenario(name, "tcp-max", description,
            List.of("tcp.max." + transport.cliName() + ".async.c" + connections), 0, connections,
            () -> new FerriteTarget(transport, Durability.ASYNC, true, null, FerriteTarget.Metrics.DEFAULT,
                index ? INDEX : WINDOWS), NettyTransports.unavailableReason(transport));
    }

    /**
     * Forwarding to Kafka ({@code tcp.max.<transport>.async-forward-<journal|kafka>.c<N>}): the server
     * with the relay stage sending every event to a broker in this JVM, ACKing after the journal or
     * after Kafka's acknowledgement, beside the same server without forwarding and Kafka's producer alone.
     */
    public static Scenario ferriteForward(TransportKind transport, KafkaRelay.Ack ack, int connections) {
        String mode = ack == KafkaRelay.Ack.KAFKA ? "kafka" : "journal";
        String name = "tcp.max." + transport.cliName() + ".async-forward-" + mode + ".c" + connections;
        String description = String.format(Locale.ROOT, "FerriteServer (%s, async, forwarding every event to Kafka, ACK"
            + " after the %s) <- LoadGenerator, %d connection(s), 64-byte events as fast as ACKs allow",
            transport.cliName(), ack == KafkaRelay.Ack.KAFKA ? "Kafka acknowledgement" : "local journal", connections);
        return new LoadScenario(name, "tcp-max", description,
            List.of("tcp.max." + transport.cliName() + ".async.c" + connections, "peer.kafka.acksall"), 0, connections,
            () -> new FerriteTarget(transport, Durability.ASYNC, true, null, FerriteTarget.Metrics.DEFAULT, null, ack),
            NettyTransports.unavailableReason(transport));
    }

    /**
     * What observability costs ({@code tcp.<max|rateR>.<transport>.async-metrics-<on|off>.c<N>}): the
     * node with its admin port, observer, counters file and ACK latency, scraped every second, against
     * the same node with all of that off.
     */
    public static Scenario ferriteMetrics(TransportKind transport, boolean on, int connections, double rate) {
        String cell = (rate > 0 ? "tcp.rate" + rateLabel(rate) : "tcp.max") + "." + transport.cliName();
        String name = cell + ".async-metrics-" + (on ? "on" : "off") + ".c" + connections;
        String peer = cell + ".async-metrics-" + (on ? "off" : "on") + ".c" + connections;
        String description = String.format(Locale.ROOT, "FerriteServer (%s, async, %s) <- LoadGenerator, %d connection(s),"
            + " 64-byte events %s", transport.cliName(), on ? "metrics on: admin port, observer, counters file, ACK latency,"
            + " /metrics and /status scraped every second" : "metrics off: no counters file, no ACK latency, no admin port",
            connections, rate > 0 ? "open loop at " + rateLabel(rate) + "/s" : "as fast as ACKs allow");
        return new LoadScenario(name, rate > 0 ? "tcp-rate" : "tcp-max", description, List.of(peer), rate, connections,
            () -> new FerriteTarget(transport, Durability.ASYNC, true, null,
                on ? FerriteTarget.Metrics.SCRAPED : FerriteTarget.Metrics.OFF),
            NettyTransports.unavailableReason(transport));
    }

    /**
     * What TLS costs ({@code tcp.<max|rateR>.<transport>.async-tls-<provider>.c<N>}): Ferrite's server
     * with TLS by {@code provider}, against the same cell in plain TCP. The load generator's side is
     * the JDK's SSLEngine (the Java client's), on the same cores.
     */
    public static Scenario ferriteTls(TransportKind transport, TlsProvider provider, int connections, double rate) {
        String mode = "async-tls-" + provider.cliName();
        String cell = (rate > 0 ? "tcp.rate" + rateLabel(rate) : "tcp.max") + "." + transport.cliName();
        String name = cell + "." + mode + ".c" + connections;
        String description = String.format(Locale.ROOT, "FerriteServer (%s, async, TLS by %s; client: JDK SSLEngine) <- "
            + "LoadGenerator, %d connection(s), 64-byte events %s", transport.cliName(), provider.cliName(), connections,
            rate > 0 ? "open loop at " + rateLabel(rate) + "/s, CO-corrected ACK latency" : "as fast as ACKs allow");
        return new LoadScenario(name, rate > 0 ? "tcp-rate" : "tcp-max", description,
            List.of(cell + ".async.c" + connections), rate, connections,
            () -> new FerriteTarget(transport, Durability.ASYNC, true, provider, FerriteTarget.Metrics.DEFAULT),
            NettyTransports.unavailableReason(transport));
    }

    /**
     * The A/B of the ingest hand-off ({@code ab.handoff.<shape>.<max|rate100k>.c<N>}): the same
     * engine fed by the event loop itself or through a JCTools queue to a journal-writer thread
     * ({@link HandoffServer}).
     */
    public static Scenario handoff(TransportKind transport, HandoffServer.Shape shape, int connections, double rate) {
        String shapeName = shape.name().toLowerCase(Locale.ROOT);
        String name = "ab.handoff." + shapeName + "." + (rate > 0 ? "rate" + rateLabel(rate) : "max") + ".c" + connections;
        HandoffServer.Shape other = shape == HandoffServer.Shape.DIRECT ? HandoffServer.Shape.QUEUE
            : HandoffServer.Shape.DIRECT;
        String peer = "ab.handoff." + other.name().toLowerCase(Locale.ROOT) + "." + (rate > 0 ? "rate" + rateLabel(rate)
            : "max") + ".c" + connections;
        String description = String.format(Locale.ROOT, "hand-off A/B, %s: %s <- LoadGenerator, %d connection(s), %s",
            shapeName, shape == HandoffServer.Shape.DIRECT ? "the event loop journals each read itself"
                : "each read through a JCTools MPSC queue to a journal-writer thread, ACK back via the event loop",
            connections, rate > 0 ? rateLabel(rate) + "/s open loop" : "as fast as ACKs allow");
        return new LoadScenario(name, rate > 0 ? "tcp-rate" : "tcp-max", description, List.of(peer), rate, connections,
            () -> new HandoffServer(transport, shape), NettyTransports.unavailableReason(transport));
    }

    /** The raw Netty peer at maximum throughput. */
    public static Scenario rawNetty(TransportKind transport, int connections) {
        return new LoadScenario("peer.netty." + transport.cliName() + ".c" + connections, "peer",
            String.format(Locale.ROOT, "raw Netty (%s) server counting FWP/1 EVENT frames and ACKing per read, "
                + "no engine <- LoadGenerator, %d connection(s)", transport.cliName(), connections),
            List.of(), 0, connections, () -> new RawNettyServer(transport), NettyTransports.unavailableReason(transport));
    }

    public static Scenario roundTrip() {
        return new LoopbackRttScenario();
    }

    static String rateLabel(double rate) {
        if (rate >= 1e6 && rate % 1e6 == 0) {
            return (long) (rate / 1e6) + "m";
        }
        if (rate >= 1e3 && rate % 1e3 == 0) {
            return (long) (rate / 1e3) + "k";
        }
        return Long.toString((long) rate);
    }
}
