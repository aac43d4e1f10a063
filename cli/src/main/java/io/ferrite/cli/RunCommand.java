package io.ferrite.cli;

import io.ferrite.affinity.CpuLayout;
import io.ferrite.cli.profile.ProfileEvent;
import io.ferrite.cli.profile.ProfileRoute;
import io.ferrite.cli.profile.ProfileSession;
import io.ferrite.engine.CloseReport;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Durations;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.IdleKind;
import io.ferrite.kafka.KafkaLanes;
import io.ferrite.kafka.KafkaRelay;
import io.ferrite.pipeline.ReloadablePolicies;
import io.ferrite.transport.admin.AdminResponse;
import io.ferrite.transport.node.FerriteNode;
import io.ferrite.transport.observe.AlertRule;
import io.ferrite.transport.observe.AlertRulesFile;
import io.ferrite.transport.server.BackpressurePolicy;
import io.ferrite.transport.server.FerriteServer;
import io.ferrite.transport.server.ServerConfig;
import io.ferrite.transport.server.TransportKind;
import io.ferrite.transport.tls.TlsProvider;
import io.ferrite.transport.tls.TlsSettings;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * {@code ferrite run}: the standalone server. Prints one line when ready; on SIGTERM or SIGINT
 * stops accepting, drains, closes cleanly and exits 0. A wrong flag value exits 2 before anything
 * starts, with a message naming the flag.
 *
 * <p>Thread-safety: picocli fills the fields, then one thread calls {@link #call()} or {@link #start}.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the FWP/1 server.")
final class RunCommand implements Callable<Integer> {
    /** The smallest --max-frame: an EVENT header (48 bytes) plus a little payload. */
    static final int MIN_FRAME = 64;
    private static final EventHandler NO_OP = (event, index, endOfBatch) -> { };

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "7070", description = "FWP/1 port (default ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--admin-port", defaultValue = "7071", description = "Admin HTTP port: GET /health, GET /profile (default ${DEFAULT-VALUE}; 0 = any free port).")
    int adminPort;

    @Option(names = "--journal", defaultValue = "./data/journal", description = "Journal directory (default ${DEFAULT-VALUE}).")
    Path journal;

    @Option(names = "--durability", defaultValue = "async", description = "async | sync | memory (default ${DEFAULT-VALUE}).")
    String durability;

    @Option(names = "--transport", defaultValue = "auto", description = "auto | io_uring | epoll | nio (default ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--idle", defaultValue = "backoff", description = "backoff | yield | spin | park (default ${DEFAULT-VALUE}).")
    String idle;

    @Option(names = "--cpus", defaultValue = "auto", description = "auto | none | io=0,journal=1,stages=1 (default ${DEFAULT-VALUE}).")
    String cpus;

    @Option(names = "--max-frame", defaultValue = "1048576", description = "Largest frame length in bytes (default ${DEFAULT-VALUE}).")
    int maxFrame;

    @Option(names = "--token-file", description = "File whose content (trimmed) clients must send in HELLO.")
    Path tokenFile;

    @Option(names = "--dedup-window", defaultValue = "10m", description = "How long eventIds are remembered (default ${DEFAULT-VALUE}).")
    String dedupWindow;

    @Option(names = "--dedup-max-ids", defaultValue = "1048576",
        description = "Most eventIds remembered; the oldest leave first, and an id that left is accepted again"
            + " (default ${DEFAULT-VALUE}, about 45 B of memory each; 0 turns deduplication off).")
    int dedupMaxIds;

    @Option(names = "--min-free-mb", defaultValue = "64",
        description = "Refuse new events (REJECT JOURNAL_UNAVAILABLE) while the journal's disk has less usable space"
            + " than this many MiB; take them again at 1.25 times that (default ${DEFAULT-VALUE}; 0 turns the check off).")
    long minFreeMb;

    @Option(names = "--handshake-timeout", defaultValue = "10s",
        description = "Close a connection with ERROR PROTOCOL_VIOLATION when its HELLO is not complete this long after it"
            + " opened (default ${DEFAULT-VALUE}).")
    String handshakeTimeout;

    @Option(names = "--idle-timeout", defaultValue = "0s",
        description = "Close an authenticated connection that sent nothing (not even PING) for this long; 0s: never"
            + " (default ${DEFAULT-VALUE}).")
    String idleTimeout;

    @Option(names = "--max-connections", defaultValue = "10000",
        description = "Most connections at once; the next one's HELLO gets ERROR CONNECTION_LIMIT (default ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--auth-failures-per-minute", defaultValue = "10",
        description = "Failed HELLOs (wrong token) one address may make in a minute before its HELLOs are refused"
            + " unchecked; 0: no limit (default ${DEFAULT-VALUE}).")
    int authFailuresPerMinute;

    @Option(names = "--pipeline", description = "A pipeline file: the stages the server runs and the events each one"
        + " sees (docs/pipelines.md); without it, one stage that does nothing.")
    Path pipelineFile;

    @Option(names = "--stage-jar", description = "A jar with the pipeline's stage classes (repeatable).")
    List<Path> stageJars = new ArrayList<>();

    @Option(names = "--tokens-file", description = "Tokens and who they belong to, one per line: TOKEN PRINCIPAL"
        + " [ROLE,ROLE...]; a HELLO must carry one, and the pipeline's policies see the principal and roles."
        + " Instead of --token-file.")
    Path tokensFile;

    @Option(names = "--tls-cert", description = "PEM certificate chain (the server's first): serve TLS on the FWP/1 port"
        + " and HTTPS on the admin port. Needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", description = "The certificate's PEM private key (PKCS#8: BEGIN PRIVATE KEY).")
    Path tlsKey;

    @Option(names = "--tls-client-ca", description = "PEM certificates client certificates must chain to: mutual TLS, a"
        + " client without such a certificate is refused (both ports).")
    Path tlsClientCa;

    @Option(names = "--tls-provider", defaultValue = "auto", description = "auto | openssl | jdk: who runs TLS; auto takes"
        + " OpenSSL (BoringSSL, bundled) where it loads (default ${DEFAULT-VALUE}).")
    String tlsProvider;

    @Option(names = "--alert-p99-ms", defaultValue = "10",
        description = "The ack_latency_p99_high alert fires when the ACK p99 over 10 s stays above this many ms for 10 s"
            + " (default ${DEFAULT-VALUE}).")
    double alertP99Millis;

    @Option(names = "--alert-rules", description = "A file of alert settings, one per line: NAME.threshold|for|severity|"
        + "enabled = VALUE (see docs/operations.md).")
    Path alertRules;

    @Option(names = "--checkpoint-every", defaultValue = "1000", description = "Events between stage checkpoints (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--backpressure", defaultValue = "block", description = "block | reject (default ${DEFAULT-VALUE}).")
    String backpressure;

    @Option(names = "--sample-every", defaultValue = "1s",
        description = "How often the admin port's observer samples (/status, /history, alerts, the dashboard); /history"
            + " keeps the newest 1,000 samples (default ${DEFAULT-VALUE}).")
    String sampleEvery;

    @Option(names = "--report-every", defaultValue = "5m",
        description = "Write a report of each period (events, latency, alerts, advice) as markdown and JSON into"
            + " reports/ in the journal directory, the newest 24 kept; also GET /report (default ${DEFAULT-VALUE}; 0s: none).")
    String reportEvery;

    @Option(names = "--jfr", description = "Record a Java Flight Recording of the whole run (the JDK's default settings"
        + " plus Ferrite's events: group commits, checkpoints, dedup restore, closed connections, alert transitions)"
        + " into this file; written when the server stops.")
    Path jfr;

    @Option(names = "--profile", description = "Profile the whole run with async-profiler: cpu | alloc | wall | lock;"
        + " the flamegraph is written when the server stops.")
    String profile;

    @Option(names = "--profile-out", defaultValue = "./profile", description = "Where --profile writes flame-EVENT.html"
        + " and collapsed-EVENT.txt (default ${DEFAULT-VALUE}).")
    Path profileOut;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Spec
    CommandSpec spec;

    /** What closing the node reported (set by {@link #call()}). */
    private CloseReport closedReport;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ProfileEvent profileEvent = profile == null ? null : flag("--profile", profile, ProfileEvent::parse);
        ProfileSession session = null;
        Recording recording = jfr == null ? null : startRecording(jfr);
        try (Running running = start(NO_OP)) {
            if (profileEvent != null) {
                session = ProfileSession.start(profileEvent);
            }
            CountDownLatch stop = new CountDownLatch(1);
            Signal.handle(new Signal("TERM"), signal -> stop.countDown());
            Signal.handle(new Signal("INT"), signal -> stop.countDown());
            if (running.policies() != null) {
                ReloadablePolicies reloadable = running.policies();
                Signal.handle(new Signal("HUP"), signal -> {
                    try {
                        out.println("ferrite: " + reloadable.reload());
                    } catch (IllegalArgumentException e) {
                        out.println("ferrite: reload refused, the running policies stay: " + e.getMessage());
                    }
                    out.flush();
                });
            }
            FerriteNode node = running.node();
            out.printf(Locale.ROOT, "ferrite listening on %s:%d transport=%s durability=%s journal=%s tls=%s admin=%d%n",
                bind, node.port(), node.server().transport().cliName(),
                node.durability().name().toLowerCase(Locale.ROOT),
                node.durability() == Durability.MEMORY ? "none" : journal.toAbsolutePath(),
                tlsName(node.server().tlsContext()), node.adminPort());
            printKafka(out);
            out.printf(Locale.ROOT, "ferrite: dashboard http%s://%s:%d/dashboard, metrics /metrics, status /status%n",
                node.server().tlsContext() == null ? "" : "s", bind, node.adminPort());
            out.flush();
            stop.await();
            out.println("ferrite: stopping (draining, then closing)");
            out.flush();
            if (running.lanes() != null) {
                running.lanes().close();
            }
            closedReport = node.closeAndReport();
        } finally {
            if (session != null) {
                out.println("ferrite: " + session.stop(profileOut).describe());
            }
            if (recording != null) {
                recording.stop(); // writes the file
                recording.close();
                out.println("ferrite: flight recording written to " + jfr.toAbsolutePath());
            }
        }
        CloseReport report = closedReport;
        if (report == null || report.drained()) {
            out.println("ferrite: stopped cleanly");
        } else {
            out.println("ferrite: stopped; events journaled but not yet handled by the stages: " + report.unprocessed()
                + " (the stages handle them after the next start)");
        }
        out.flush();
        return 0;
    }

    private void printKafka(PrintWriter out) {
        if (kafka.lanes()) {
            out.printf(Locale.ROOT, "ferrite: kafka lanes: group %s, topic %s, member %s, %s, output %s; GET /lanes%n",
                kafka.group, kafka.topic, kafka.instanceId == null ? "dynamic" : kafka.instanceId, kafka.guarantee,
                kafka.outputTopic == null ? "none (offsets only)" : kafka.outputTopic);
        }
        if (kafka.forwardTopic != null) {
            out.printf(Locale.ROOT, "ferrite: forwarding accepted events to kafka topic %s, ACK after the %s%n",
                kafka.forwardTopic, kafka.forwardAckMode() == KafkaRelay.Ack.KAFKA ? "Kafka acknowledgement" : "local journal");
        }
    }

    /** Starts a flight recording with the JDK's default settings, written to {@code file} when stopped. */
    private static Recording startRecording(Path file) throws IOException, ParseException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IllegalArgumentException("--jfr " + file + ": the directory " + parent + " does not exist");
        }
        Recording recording = new Recording(Configuration.getConfiguration("default"));
        recording.setName("ferrite run");
        recording.setDestination(file);
        recording.start();
        return recording;
    }

    private static String tlsName(SslContext context) {
        if (context == null) {
            return "off";
        }
        return context instanceof JdkSslContext ? "jdk" : "openssl";
    }

    /**
     * Checks every flag (an {@link IllegalArgumentException} naming the flag when one is wrong,
     * before anything starts), then starts a node with {@code stage} as its one stage, the admin
     * port with {@code GET /profile}. {@link #call()} passes a stage that does nothing; tests pass
     * a slow one.
     */
    Running start(EventHandler stage) {
        Durability mode = parseDurability(durability);
        TransportKind transportKind = flag("--transport", transport, TransportKind::parse);
        IdleKind idleKind = flag("--idle", idle, IdleKind::parse);
        CpuLayout layout = flag("--cpus", cpus, CpuLayout::parse);
        Duration dedupAge = flag("--dedup-window", dedupWindow, Durations::parse);
        BackpressurePolicy policy = flag("--backpressure", backpressure, BackpressurePolicy::parse);
        Duration handshake = flag("--handshake-timeout", handshakeTimeout, Durations::parse);
        Duration idleLimit = flag("--idle-timeout", idleTimeout, Durations::parse);
        if (handshake.isZero()) {
            throw new IllegalArgumentException("--handshake-timeout must be more than 0");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("--max-connections must be at least 1, was " + maxConnections);
        }
        if (authFailuresPerMinute < 0) {
            throw new IllegalArgumentException("--auth-failures-per-minute must be >= 0 (0 = no limit), was "
                + authFailuresPerMinute);
        }
        checkPort("--port", port);
        checkPort("--admin-port", adminPort);
        if (maxFrame < MIN_FRAME) {
            throw new IllegalArgumentException("--max-frame must be at least " + MIN_FRAME + " bytes, was " + maxFrame);
        }
        if (!(alertP99Millis > 0)) {
            throw new IllegalArgumentException("--alert-p99-ms must be more than 0, was " + alertP99Millis);
        }
        if (checkpointEvery <= 0) {
            throw new IllegalArgumentException("--checkpoint-every must be positive, was " + checkpointEvery);
        }
        if (minFreeMb < 0) {
            throw new IllegalArgumentException("--min-free-mb must be >= 0 (0 turns the check off), was " + minFreeMb);
        }
        if (dedupMaxIds < 0) {
            throw new IllegalArgumentException("--dedup-max-ids must be >= 0 (0 turns deduplication off), was " + dedupMaxIds);
        }
        kafka.check();
        byte[] token = readToken(tokenFile);
        TlsSettings tls = tlsSettings();
        List<AlertRule> rules = AlertRule.defaults(alertP99Millis);
        if (alertRules != null) {
            rules = flag("--alert-rules", "", ignored -> AlertRulesFile.apply(AlertRule.defaults(alertP99Millis), alertRules));
        }
        if (tokenFile != null && tokensFile != null) {
            throw new IllegalArgumentException("--token-file and --tokens-file: give one of them");
        }
        ServerPipeline pipeline = ServerPipeline.read(pipelineFile, stageJars, tokensFile,
            mode == Durability.MEMORY ? null : journal);
        EngineBuilder engine = Engine.builder().durability(mode).idle(idleKind).checkpointEvery(checkpointEvery)
            .dedupWindow(dedupMaxIds, dedupAge).minFreeDisk(minFreeMb << 20);
        pipeline.addStages(engine, stage);
        KafkaRelay relay = kafka.relay();
        if (relay != null) {
            engine.stage("kafka-relay", relay);
            if (kafka.forwardAckMode() == KafkaRelay.Ack.KAFKA) {
                engine.ackGate(relay::forwardedBelow);
            }
        }
        if (mode != Durability.MEMORY) {
            engine.journal(journal);
        }
        AtomicReference<KafkaLanes> lanes = new AtomicReference<>();
        ProfileRoute profileRoute = new ProfileRoute();
        FerriteNode.Builder builder = FerriteNode.builder(engine)
            .server(pipeline.configure(ServerConfig.builder().bind(bind).port(port).transport(transportKind)
                .maxFrameLength(maxFrame).token(token).backpressure(policy).handshakeTimeout(handshake)
                .idleTimeout(idleLimit).maxConnections(maxConnections).authFailuresPerMinute(authFailuresPerMinute)
                .tls(tls)))
            .cpuLayout(layout)
            .alertRules(rules)
            .reports(flag("--report-every", reportEvery, Durations::parse), 24)
            .observe(positive("--sample-every", sampleEvery), 1_000)
            .admin(adminPort)
            .adminRoute("/profile", profileRoute)
            .adminRoute("/lanes", request -> lanes.get() == null
                ? AdminResponse.error(404, "this node runs no Kafka lanes (start it with --kafka-topic and --kafka-group)")
                : AdminResponse.json(200, lanes.get().statusJson()));
        pipeline.addRoutes(builder);
        FerriteNode node = builder.start();
        pipeline.registerMetrics(node);
        if (relay != null) {
            relay.registerInto(node.engine().metricRegistry());
        }
        if (kafka.lanes()) {
            try {
                lanes.set(KafkaLanes.start(kafka.settings(mode == Durability.MEMORY ? null : journal.resolve("lanes"),
                    () -> Engine.builder().durability(mode).idle(idleKind).checkpointEvery(checkpointEvery)
                        .dedupWindow(dedupMaxIds, dedupAge).minFreeDisk(minFreeMb << 20).cpuLayout(CpuLayout.none()),
                    pipeline.laneStages()), node.engine().metricRegistry()));
            } catch (RuntimeException e) {
                node.close();
                throw e;
            }
        }
        return new Running(node, profileRoute, pipeline.policies(), lanes.get());
    }

    /**
     * A started node and its profile route: closing abandons a profile in progress, then closes the
     * node (health says stopping, the server drains what it owes, the engine closes).
     *
     * <p>Thread-safety: close from the thread that started it.
     */
    record Running(FerriteNode node, ProfileRoute profiles, ReloadablePolicies policies, KafkaLanes lanes)
        implements AutoCloseable {
        FerriteServer server() {
            return node.server();
        }

        @Override
        public void close() {
            try (node; profiles) {
                if (lanes != null) {
                    lanes.close(); // every lane drains and commits before the node closes
                }
            }
        }
    }

    /** The TLS flags as settings, or null without {@code --tls-cert}; the files are checked here. */
    private TlsSettings tlsSettings() {
        TlsProvider provider = flag("--tls-provider", tlsProvider, text -> {
            try {
                return TlsProvider.valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + text + "' is not one of auto, openssl, jdk", e);
            }
        });
        if (tlsCert == null && tlsKey == null) {
            if (tlsClientCa != null) {
                throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key: mutual TLS is TLS first");
            }
            return null;
        }
        if (tlsCert == null || tlsKey == null) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give the certificate chain and"
                + " its private key");
        }
        return flag("--tls-cert/--tls-key", "", ignored -> new TlsSettings(tlsCert, tlsKey, tlsClientCa, provider));
    }

    private static Duration positive(String flag, String value) {
        Duration duration = flag(flag, value, Durations::parse);
        if (duration.isZero()) {
            throw new IllegalArgumentException(flag + " must be more than 0");
        }
        return duration;
    }

    private static void checkPort(String flag, int value) {
        if (value < 0 || value > 65_535) {
            throw new IllegalArgumentException(flag + " must be 0..65535 (0 = any free port), was " + value);
        }
    }

    /** Applies {@code parser}, naming the flag in its error. */
    static <T> T flag(String name, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    static Durability parseDurability(String text) {
        try {
            return Durability.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--durability '" + text + "' is not one of async, sync, memory", e);
        }
    }

    static byte[] readToken(Path file) {
        if (file == null) {
            return null;
        }
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                throw new IllegalArgumentException("--token-file " + file + " is empty; put the token in it");
            }
            return token.getBytes(StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--token-file " + file + " does not exist; put the token in it, or drop"
                + " the flag to run without authentication", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("--token-file " + file + " cannot be read: " + e, e);
        }
    }
}
