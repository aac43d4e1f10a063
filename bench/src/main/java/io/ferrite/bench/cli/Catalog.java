package io.ferrite.bench.cli;

import io.ferrite.bench.engine.ChronicleAppendScenario;
import io.ferrite.bench.engine.PipeScenario;
import io.ferrite.bench.kafka.KafkaLanesScenario;
import io.ferrite.kafka.KafkaRelay;
import io.ferrite.bench.kafka.KafkaProduceScenario;
import io.ferrite.bench.pipeline.ActionScenario;
import io.ferrite.bench.query.IndexIngestScenario;
import io.ferrite.bench.query.QueryScenario;
import io.ferrite.bench.query.ScanScenario;
import io.ferrite.bench.windows.WindowCountScenario;
import io.ferrite.bench.pipeline.LaneScenario;
import io.ferrite.bench.suite.Scenario;
import io.ferrite.bench.suite.SuiteKind;
import io.ferrite.bench.tcp.HandoffServer;
import io.ferrite.bench.tcp.TcpScenarios;
import io.ferrite.engine.Durability;
import io.ferrite.transport.server.TransportKind;
import io.ferrite.transport.tls.TlsProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which scenarios each suite runs, in run order: embedded pipes, the in-process peers, the TCP
 * matrix, then Kafka (last, because its broker's threads are the heaviest guests in the JVM).
 *
 * <ul>
 *   <li>smoke: one of each kind on the auto transport, no Kafka;</li>
 *   <li>quick: every embedded pipe, every transport at 1 and 4 connections (async and sync) at
 *       maximum throughput, fixed rates 10k/100k/500k/1M on the auto transport (async, 1 connection)
 *       and 100k on the others, TLS (OpenSSL and JDK providers) and metrics on/off at maximum and at
 *       100k on the auto transport, priority-0 latency with and without a priority-3 flood, with
 *       and without priority lanes, webhook actions (fast and 100 ms receivers, 100 and 1 in flight)
 *       beside the JDK HttpClient alone, Kafka acks=1 and acks=all, Kafka lanes (exactly-once and
 *       at-least-once, 1 and 4 partitions) beside a bare consumer;</li>
 *   <li>full: quick plus every fixed rate for every transport, durability and connection count, and
 *       the hand-off A/B ({@code ab.handoff.*}, auto transport).</li>
 * </ul>
 *
 * <p>Thread-safety: stateless.
 */
final class Catalog {
    private static final List<TransportKind> TRANSPORTS = List.of(TransportKind.EPOLL, TransportKind.IO_URING,
        TransportKind.NIO);
    private static final List<Durability> DURABILITIES = List.of(Durability.ASYNC, Durability.SYNC);
    private static final int[] CONNECTIONS = {1, 4};
    private static final double[] RATES = {10_000, 100_000, 500_000, 1_000_000};

    private Catalog() {
    }

    static List<Scenario> select(SuiteKind suite, Pattern filter) {
        return scenarios(suite).stream().filter(s -> filter.matcher(s.name()).find()).toList();
    }

    static List<Scenario> scenarios(SuiteKind suite) {
        List<Scenario> list = new ArrayList<>();
        TransportKind auto = TransportKind.AUTO.resolve();
        if (suite == SuiteKind.SMOKE) {
            list.add(pipe("ferrite-memory", "Ferrite MEMORY, 1 stage", "embedded.disruptor", "embedded.abq"));
            list.add(pipe("disruptor", "LMAX Disruptor, 1 consumer"));
            list.add(new ChronicleAppendScenario());
            list.add(TcpScenarios.roundTrip());
            list.add(TcpScenarios.rawNetty(auto, 1));
            list.add(TcpScenarios.ferrite(auto, Durability.ASYNC, 1, 0));
            list.add(TcpScenarios.ferrite(auto, Durability.ASYNC, 1, 10_000));
            return list;
        }
        addEmbedded(list, suite);
        list.add(new ChronicleAppendScenario());
        list.add(TcpScenarios.roundTrip());
        for (TransportKind transport : TRANSPORTS) {
            for (int connections : CONNECTIONS) {
                list.add(TcpScenarios.rawNetty(transport, connections));
            }
        }
        for (TransportKind transport : TRANSPORTS) {
            for (Durability durability : DURABILITIES) {
                for (int connections : CONNECTIONS) {
                    list.add(TcpScenarios.ferrite(transport, durability, connections, 0));
                }
            }
        }
        for (int connections : CONNECTIONS) {
            list.add(TcpScenarios.ferriteWithoutDedup(auto, connections));
        }
        for (int connections : CONNECTIONS) {
            list.add(TcpScenarios.ferriteActionsNoMatch(auto, connections));
        }
        for (int connections : CONNECTIONS) {
            list.add(TcpScenarios.ferritePipeline(auto, connections));
        }
        list.add(TcpScenarios.ferriteIndexOrWindows(auto, true, 1));
        list.add(TcpScenarios.ferriteIndexOrWindows(auto, false, 1));
        for (boolean on : new boolean[] {true, false}) {
            for (int connections : CONNECTIONS) {
                list.add(TcpScenarios.ferriteMetrics(auto, on, connections, 0));
            }
            list.add(TcpScenarios.ferriteMetrics(auto, on, 1, 100_000));
        }
        for (TlsProvider provider : List.of(TlsProvider.OPENSSL, TlsProvider.JDK)) {
            for (int connections : CONNECTIONS) {
                list.add(TcpScenarios.ferriteTls(auto, provider, connections, 0));
            }
            list.add(TcpScenarios.ferriteTls(auto, provider, 1, 100_000));
        }
        for (TransportKind transport : TRANSPORTS) {
            for (Durability durability : DURABILITIES) {
                for (int connections : CONNECTIONS) {
                    for (double rate : RATES) {
                        if (rate == 500_000 && (transport != auto || durability != Durability.ASYNC || connections != 1)) {
                            continue; // the second latency target: one scenario, not a column
                        }
                        boolean quickPick = durability == Durability.ASYNC && connections == 1
                            && (transport == auto || rate == 100_000);
                        if (suite == SuiteKind.FULL || quickPick) {
                            list.add(TcpScenarios.ferrite(transport, durability, connections, rate));
                        }
                    }
                }
            }
        }
        if (suite == SuiteKind.FULL) {
            for (HandoffServer.Shape shape : HandoffServer.Shape.values()) {
                for (int connections : CONNECTIONS) {
                    list.add(TcpScenarios.handoff(auto, shape, connections, 0));
                }
                list.add(TcpScenarios.handoff(auto, shape, 1, 100_000));
            }
        }
        for (boolean flood : new boolean[] {false, true}) {
            for (LaneScenario.Mode mode : LaneScenario.Mode.values()) {
                list.add(new LaneScenario(mode, flood));
            }
        }
        for (ActionScenario.Caller caller : ActionScenario.Caller.values()) {
            list.add(new ActionScenario(caller, 100, 0));
            list.add(new ActionScenario(caller, 100, 100));
            list.add(new ActionScenario(caller, 1, 100));
        }
        for (QueryScenario.Kind kind : QueryScenario.Kind.values()) {
            list.add(new QueryScenario(kind, false));
            list.add(new QueryScenario(kind, true));
        }
        list.add(new ScanScenario(false));
        list.add(new ScanScenario(true));
        list.add(new IndexIngestScenario(true));
        list.add(new IndexIngestScenario(false));
        for (WindowCountScenario.Counter counter : WindowCountScenario.Counter.values()) {
            list.add(new WindowCountScenario(counter));
        }
        list.add(new KafkaProduceScenario("1"));
        list.add(new KafkaProduceScenario("all"));
        for (KafkaRelay.Ack ack : KafkaRelay.Ack.values()) {
            list.add(TcpScenarios.ferriteForward(auto, ack, 1));
        }
        for (int partitions : new int[] {1, 4}) {
            for (KafkaLanesScenario.Reader reader : KafkaLanesScenario.Reader.values()) {
                list.add(new KafkaLanesScenario(reader, partitions));
            }
        }
        return list;
    }

    private static void addEmbedded(List<Scenario> list, SuiteKind suite) {
        list.add(pipe("ferrite-memory", "Ferrite MEMORY, 1 stage (fused)", "embedded.disruptor", "embedded.abq"));
        list.add(pipe("ferrite-async", "Ferrite ASYNC journal, 1 stage", "peer.chronicle.append",
            "embedded.chronicle-tailer", "embedded.disruptor"));
        list.add(pipe("ferrite-sync", "Ferrite SYNC journal (group msync), 1 stage", "peer.chronicle.append",
            "embedded.disruptor"));
        list.add(pipe("ferrite-fused", "Ferrite MEMORY, 3 stages on one thread", "embedded.disruptor-one-thread",
            "embedded.disruptor-chain"));
        if (suite == SuiteKind.FULL) {
            list.add(pipe("ferrite-separate", "Ferrite MEMORY, 3 stages, a thread each", "embedded.disruptor-chain",
                "embedded.disruptor-one-thread"));
            list.add(pipe("ferrite-async-metrics-off", "Ferrite ASYNC journal, 1 stage, metrics off (no counters file)",
                "embedded.ferrite-async"));
            list.add(pipe("ferrite-memory-dedup", "Ferrite MEMORY, 1 stage, eventId dedup window on",
                "embedded.disruptor"));
        }
        list.add(pipe("ferrite-async-fused", "Ferrite ASYNC journal, 3 stages on one thread", "peer.chronicle.append",
            "embedded.disruptor-one-thread"));
        list.add(pipe("ferrite-sync-fused", "Ferrite SYNC journal, 3 stages on one thread", "peer.chronicle.append",
            "embedded.disruptor-one-thread"));
        list.add(pipe("disruptor", "LMAX Disruptor, 1 consumer (yielding)"));
        list.add(pipe("abq", "ArrayBlockingQueue, 1 consumer"));
        list.add(pipe("chronicle-tailer", "raw Chronicle Queue append + a tailer thread reading every record"));
        list.add(pipe("disruptor-chain", "LMAX Disruptor, 3 chained handlers, a thread each"));
        list.add(pipe("disruptor-one-thread", "LMAX Disruptor, 3 handlers on one thread"));
    }

    private static Scenario pipe(String name, String description, String... peers) {
        return new PipeScenario(name, description + ", 64-byte events published in batches of 10k", List.of(peers));
    }
}
