package io.ferrite.transport.node;

import io.ferrite.affinity.CpuLayout;
import io.ferrite.engine.CloseReport;
import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EngineBuilder;
import io.ferrite.protocol.EventFrame;
import io.ferrite.protocol.FrameHeader;
import io.ferrite.transport.admin.AdminResponse;
import io.ferrite.transport.admin.AdminRoute;
import io.ferrite.transport.admin.AdminServer;
import io.ferrite.transport.admin.JsonText;
import io.ferrite.transport.admin.PrometheusRoute;
import io.ferrite.transport.observe.AlertRule;
import io.ferrite.transport.observe.NodeObserver;
import io.ferrite.transport.observe.ObserverRoutes;
import io.ferrite.transport.server.FerriteServer;
import io.ferrite.transport.server.ServerConfig;
import io.ferrite.transport.server.ServerCounters;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Ferrite node: an {@link Engine}, the FWP/1 {@link FerriteServer} in front of it and, when
 * asked for, the {@link AdminServer}. This is the one place that composes them — the CLI's
 * {@code run} and {@code demo}, the bench and the tests all start a node here — so settings that
 * span components are reconciled once:
 * <ul>
 *   <li>unless the engine was given a payload limit of its own, its largest payload is what the
 *       server's largest frame carries ({@code maxFrameLength - 4 - 40}), so a frame the server
 *       accepts is not refused by the engine for its size;</li>
 *   <li>one {@link CpuLayout} places the server's event loops and the engine's threads;</li>
 *   <li>the admin port's token is the server's HELLO token (with a tokens file: the tokens of the
 *       principals with role {@code admin}), and its TLS the server's (HTTPS with the same certificate
 *       and client CA).</li>
 * </ul>
 * Start order: engine, server, admin; whatever started is closed again if a later part fails.
 * Close order: health says stopping, the server stops accepting and flushes the ACKs it owes, the
 * engine drains and closes, then the admin port closes.
 *
 * <p>Thread-safety: start and close from one thread; the accessors from any.
 */
public final class FerriteNode implements AutoCloseable {
    /** With a tokens file, the admin port's guarded routes take the tokens of principals holding this role. */
    public static final String ADMIN_ROLE = "admin";

    private final Engine engine;
    private final FerriteServer server;
    private final AdminServer admin;
    private final AtomicBoolean stopping;
    private final NodeObserver observer;
    private CloseReport closeReport;

    private FerriteNode(Engine engine, FerriteServer server, AdminServer admin, AtomicBoolean stopping,
                        NodeObserver observer) {
        this.engine = engine;
        this.server = server;
        this.admin = admin;
        this.stopping = stopping;
        this.observer = observer;
    }

    /** The observer behind {@code /status}, {@code /history}, {@code /alerts} (null without an admin port). */
    public NodeObserver observer() {
        return observer;
    }

    public static Builder builder(EngineBuilder engine) {
        return new Builder(engine);
    }

    public Engine engine() {
        return engine;
    }

    public FerriteServer server() {
        return server;
    }

    /** The FWP/1 port actually bound. */
    public int port() {
        return server.port();
    }

    /** The admin port actually bound, or -1 without an admin server. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    public Durability durability() {
        return engine.config().durability();
    }

    /**
     * {@code GET /health}: 200 and the server's counters while up; 503 with {@code "status":"DEGRADED"}
     * and the reason while the journal refuses events (disk full); 503 once stopping.
     */
    private static AdminResponse health(FerriteServer server, Engine engine, Durability durability,
                                        AtomicBoolean stopping) {
        if (stopping.get()) {
            return AdminResponse.json(503, "{\"status\":\"STOPPING\"}");
        }
        ServerCounters counters = server.counters();
        String journalProblem = engine.journalUnavailableReason();
        return AdminResponse.json(journalProblem == null ? 200 : 503, String.format(Locale.ROOT,
            "{\"status\":\"%s\",\"journal\":%s,\"transport\":\"%s\",\"durability\":\"%s\",\"connections\":%d,"
                + "\"accepted\":%d,\"rejected\":%d,\"protocolErrors\":%d}",
            journalProblem == null ? "UP" : "DEGRADED",
            journalProblem == null ? "\"ok\"" : JsonText.quote(journalProblem),
            server.transport().cliName(), durability.name().toLowerCase(Locale.ROOT), counters.connectionsOpen(),
            counters.accepted(), counters.rejected(), counters.protocolErrors()));
    }

    /** Stops as the class javadoc says; returns whether the engine drained. Calling it again returns the first report. */
    public CloseReport closeAndReport() {
        if (closeReport != null) {
            return closeReport;
        }
        stopping.set(true);
        if (observer != null) {
            observer.close();
        }
        try {
            server.close();
        } finally {
            try {
                closeReport = engine.closeAndReport();
            } finally {
                if (admin != null) {
                    admin.close();
                }
            }
        }
        return closeReport;
    }

    @Override
    public void close() {
        closeAndReport();
    }

    /**
     * Builds a {@link FerriteNode} from an engine builder (durability, journal, stages, ...), the
     * server's settings and, optionally, an admin port with extra routes.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private final EngineBuilder engine;
        private ServerConfig.Builder server = ServerConfig.builder();
        private CpuLayout cpuLayout = CpuLayout.none();
        private int adminPort = -1;
        private final Map<String, AdminRoute> guardedRoutes = new LinkedHashMap<>();
        private Duration observeEvery = Duration.ofSeconds(1);
        private int historySize = 1_000;
        private List<AlertRule> alertRules = AlertRule.defaults(10);
        private Duration reportEvery = Duration.ofMinutes(5);
        private int reportsKept = 24;

        private Builder(EngineBuilder engine) {
            this.engine = engine;
        }

        /** The FWP/1 server's settings (its CPU layout is replaced by {@link #cpuLayout}). */
        public Builder server(ServerConfig.Builder settings) {
            this.server = settings;
            return this;
        }

        /** Where every thread of the node runs (default: nothing pinned). */
        public Builder cpuLayout(CpuLayout layout) {
            this.cpuLayout = layout;
            return this;
        }

        /** Serve the admin port on the server's bind address ({@code 0} = any free port). */
        public Builder admin(int port) {
            this.adminPort = port;
            return this;
        }

        /**
         * How often the observer samples ({@code /status}, {@code /history}, alerts; default 1 s) and
         * how many samples {@code /history} keeps (default 1,000).
         */
        public Builder observe(Duration every, int samplesKept) {
            this.observeEvery = every;
            this.historySize = samplesKept;
            return this;
        }

        /**
         * A report every {@code every} (default 5 min; zero: none), written as markdown and JSON into
         * {@code reports/} in the journal directory, the newest {@code kept} of them (default 24).
         */
        public Builder reports(Duration every, int kept) {
            if (every.isNegative() || kept < 1) {
                throw new IllegalArgumentException("report period must be >= 0 and reports kept >= 1, was " + every
                    + ", " + kept);
            }
            this.reportEvery = every;
            this.reportsKept = kept;
            return this;
        }

        /** The alert rules (default: {@link AlertRule#defaults} with a 10 ms ACK p99 limit). */
        public Builder alertRules(List<AlertRule> rules) {
            this.alertRules = List.copyOf(rules);
            return this;
        }

        /** An admin {@code GET} route that needs the server's token (when it has one). */
        public Builder adminRoute(String path, AdminRoute route) {
            return adminRoute("GET", path, route);
        }

        /** An admin route with another method (e.g. {@code POST}) that needs the server's token (when it has one). */
        public Builder adminRoute(String method, String path, AdminRoute route) {
            guardedRoutes.put(method + " " + path, route);
            return this;
        }

        /**
         * Checks the settings across components, then starts engine, server and admin port.
         *
         * @throws IllegalArgumentException for settings that do not fit together, naming them
         * @throws IllegalStateException    when a port cannot be bound (nothing is left running)
         */
        public FerriteNode start() {
            ServerConfig serverConfig = server.cpuLayout(cpuLayout).build();
            engine.cpuLayout(cpuLayout).defaultMaxPayloadLength(maxPayloadFor(serverConfig.maxFrameLength()));
            if (adminPort > 65_535) {
                throw new IllegalArgumentException("admin port must be 0..65535, was " + adminPort);
            }
            Engine started = engine.build();
            FerriteServer listening = null;
            try {
                listening = FerriteServer.start(started, serverConfig);
                listening.counters().registerInto(started.metricRegistry());
                FerriteServer serving = listening;
                Durability durability = started.config().durability();
                AtomicBoolean stopping = new AtomicBoolean();
                AdminServer admin = null;
                NodeObserver observer = null;
                if (adminPort >= 0) {
                    observer = new NodeObserver(started, listening.counters(), observeEvery, historySize, alertRules,
                        reportEvery, reportsKept);
                    AdminServer.Builder routes = AdminServer.builder().bind(serverConfig.bind()).port(adminPort)
                        .token(serverConfig.token()).tls(listening.tlsContext())
                        .route("GET", "/health", request -> health(serving, started, durability, stopping))
                        .route("GET", "/metrics", new PrometheusRoute(started.metricRegistry(), observer.latencyCollector()));
                    if (serverConfig.identities() != null) {
                        serverConfig.identities().tokensWithRole(ADMIN_ROLE).forEach(routes::token);
                    }
                    guardedRoutes.forEach((methodAndPath, route) -> routes.guardedRoute(
                        methodAndPath.substring(0, methodAndPath.indexOf(' ')),
                        methodAndPath.substring(methodAndPath.indexOf(' ') + 1), route));
                    ObserverRoutes.install(routes, observer, serving.transport().cliName(),
                        durability.name().toLowerCase(Locale.ROOT));
                    admin = routes.start();
                    observer.start();
                }
                return new FerriteNode(started, listening, admin, stopping, observer);
            } catch (RuntimeException e) {
                if (listening != null) {
                    listening.close();
                }
                started.close();
                throw e;
            }
        }

        /** The payload an EVENT frame of {@code maxFrameLength} carries: length minus kind, flags and the EVENT header. */
        static int maxPayloadFor(int maxFrameLength) {
            return maxFrameLength - FrameHeader.MIN_LENGTH - EventFrame.HEADER_LENGTH;
        }
    }
}
