package io.ferrite.cli;

import io.ferrite.client.ClientConfig;
import io.ferrite.client.ClientListener;
import io.ferrite.client.FerriteClient;
import io.ferrite.protocol.ErrorCode;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pipelines as an operator uses them: {@code ferrite pipeline check} on the shipped example and on a
 * broken file, and {@code ferrite run --pipeline --stage-jar} in a child JVM with a user stage
 * compiled and jarred by the test, fed over TCP: the stage gets exactly the events its route
 * matches, and {@code /metrics} counts them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliPipelineTest {
    private static final Path EXAMPLE = Path.of("..", "examples", "pipeline.yaml").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void checkAcceptsTheExampleAndNamesTheLineOfAMistake() throws Exception {
        CliRun good = CliRun.of("pipeline", "check", EXAMPLE.toString());
        assertThat(good.status()).as("%s", good).isZero();
        assertThat(good.out()).contains("pipeline 'example', 4 stages", "orders: discard (type in [1, 2]), priority lanes: 4096 slots",
            "customers: enrich", "ok");
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "stages:\n  - name: a\n    use: log\n    route:\n      priority: 9\n");
        CliRun broken = CliRun.of("pipeline", "check", bad.toString());
        assertThat(broken.status()).isEqualTo(2);
        assertThat(broken.err()).contains(bad + ":5: stages[0].route.priority: 9 is out of range");
        CliRun missingClass = CliRun.of("pipeline", "check", Files.writeString(dir.resolve("c.yaml"),
            "stages:\n  - name: a\n    use: com.example.Nope\n").toString());
        assertThat(missingClass.status()).isEqualTo(2);
        assertThat(missingClass.err()).contains("c.yaml:2: stage a: use: no built-in stage or class 'com.example.Nope'");
    }

    @Test
    void aServerRunsAUserStageFromAJarOnTheEventsItsRouteMatches() throws Exception {
        Path jar = userStageJar();
        Path out = dir.resolve("seen.txt");
        Path pipeline = Files.writeString(dir.resolve("pipeline.yaml"), """
            stages:
              - name: audit
                use: discard
              - name: mine
                use: example.KeysToFile
                route: {type: 2}
                with: {file: '%s'}
                lanes: {slots: 64}
            """.formatted(out));
        assertThat(CliRun.of("pipeline", "check", pipeline.toString(), "--stage-jar", jar.toString()).status()).isZero();
        try (CliProcess server = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--journal",
            dir.resolve("journal").toString(), "--cpus", "none", "--pipeline", pipeline.toString(), "--stage-jar",
            jar.toString())) {
            int port = server.awaitReady(Duration.ofSeconds(60));
            String adminPort = server.awaitLine("ferrite listening on ", Duration.ofSeconds(1)).replaceAll(".* admin=", "");
            try (FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", port).build())) {
                long last = 0;
                for (int i = 1; i <= 300; i++) {
                    last = client.publish(1 + i % 3, i, i, 0, new byte[8]); // types 2, 3, 1, 2, ...
                }
                client.flush();
                assertThat(client.awaitAcked(last, Duration.ofSeconds(20))).isTrue();
            }
            Await.until("the user stage wrote the 100 type-2 keys", Duration.ofSeconds(20), () -> lines(out) == 100);
            assertThat(Files.readAllLines(out)).first().isEqualTo("1");
            assertThat(Files.readAllLines(out)).allMatch(key -> Long.parseLong(key) % 3 == 1); // type 1 + key % 3 == 2
            String metrics;
            try (HttpClient http = HttpClient.newHttpClient()) {
                metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            }
            assertThat(metrics).contains("ferrite_route_matched_total{stage=\"mine\"} 100.0")
                .contains("ferrite_route_passed_total{stage=\"mine\"} 200.0")
                .contains("ferrite_route_matched_total{stage=\"audit\"} 300.0")
                .contains("ferrite_lane_handled_total{lane=\"mine/0\"} 100.0")
                .contains("ferrite_lane_depth{lane=\"mine/0\"} 0.0");
            assertThat(server.terminate(Duration.ofSeconds(30))).isZero();
        }
    }

    @Test
    void policiesDropTagAndRouteEventsForTheStagesOverTcp() throws Exception {
        Path jar = userStageJar();
        Path out = dir.resolve("mine.txt");
        Path pipeline = Files.writeString(dir.resolve("marks.yaml"), """
            stages:
              - name: audit
                use: discard
              - name: mine
                use: example.KeysToFile
                route: {type: 2, tag: [vip]}
                with: {file: '%s'}
            policies:
              - {name: no-heartbeats, when: {type: 9}, then: drop}
              - {name: small-keys-are-vips, when: {key: {max: 20}}, then: {tag: vip}}
              - {name: type-5-to-mine, when: {type: 5}, then: {route: mine}}
            """.formatted(out));
        int[] types = {2, 5, 9, 1};
        List<Long> expected = new ArrayList<>();
        for (long key = 1; key <= 40; key++) {
            int type = types[(int) (key % 4)];
            // type 2 tagged vip (keys up to 20); type 5 routed to mine, unless the vip rule matched first
            if (type == 2 && key <= 20 || type == 5 && key > 20) {
                expected.add(key);
            }
        }
        try (CliProcess server = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--journal",
            dir.resolve("journal").toString(), "--cpus", "none", "--pipeline", pipeline.toString(), "--stage-jar",
            jar.toString())) {
            int port = server.awaitReady(Duration.ofSeconds(60));
            String adminPort = server.awaitLine("ferrite listening on ", Duration.ofSeconds(1)).replaceAll(".* admin=", "");
            try (FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", port).build())) {
                long last = 0;
                for (long key = 1; key <= 40; key++) {
                    last = client.publish(types[(int) (key % 4)], key, key, 0, new byte[8]);
                }
                client.flush();
                assertThat(client.awaitAcked(last, Duration.ofSeconds(20))).as("dropped events are ACKed too").isTrue();
            }
            Await.until("the user stage wrote its keys", Duration.ofSeconds(20), () -> lines(out) == expected.size(),
                () -> "wrote " + (Files.exists(out) ? read(out) : "nothing") + ", expected " + expected + "; server said:\n"
                    + server.output());
            assertThat(Files.readAllLines(out)).map(Long::parseLong).containsExactlyElementsOf(expected);
            String metrics;
            try (HttpClient http = HttpClient.newHttpClient()) {
                metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            }
            assertThat(metrics).contains("ferrite_route_matched_total{stage=\"audit\"} 30.0") // the 10 type-9 dropped
                .contains("ferrite_route_passed_total{stage=\"audit\"} 10.0")
                .contains("ferrite_policy_decisions_total{outcome=\"drop\"} 10.0");
            assertThat(server.terminate(Duration.ofSeconds(30))).isZero();
        }
    }

    @Test
    void policiesRefuseByPrincipalAndRoleBeforeAnythingIsJournaled() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), "alice-token alice admin\nguest-token guest readonly\n");
        Path pipeline = Files.writeString(dir.resolve("policies.yaml"), """
            stages:
              - name: all
                use: discard
            policies:
              - name: read-only-roles-may-not-pay
                when: {type: 2, role: readonly}
                then: deny
            """);
        CliRun check = CliRun.of("pipeline", "check", pipeline.toString(), "--tokens-file", tokens.toString());
        assertThat(check.out()).contains("policy read-only-roles-may-not-pay: deny when type 2, role in [readonly]");
        try (CliProcess server = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--journal",
            dir.resolve("journal").toString(), "--cpus", "none", "--pipeline", pipeline.toString(), "--tokens-file",
            tokens.toString())) {
            int port = server.awaitReady(Duration.ofSeconds(60));
            String adminPort = server.awaitLine("ferrite listening on ", Duration.ofSeconds(1)).replaceAll(".* admin=", "");
            List<String> guestRejects = new CopyOnWriteArrayList<>();
            try (FerriteClient guest = FerriteClient.connect(ClientConfig.builder("127.0.0.1", port)
                     .token("guest-token".getBytes(StandardCharsets.UTF_8)).build(), new ClientListener() {
                         @Override
                         public void onReject(long correlationId, ErrorCode code, String message) {
                             guestRejects.add(correlationId + " " + code + " " + message);
                         }
                     });
                 FerriteClient alice = FerriteClient.connect(ClientConfig.builder("127.0.0.1", port)
                     .token("alice-token".getBytes(StandardCharsets.UTF_8)).build())) {
                guest.publish(1, 1, 1, 0, new byte[4]);
                guest.publish(2, 2, 2, 0, new byte[4]); // a payment from a read-only principal
                long last = guest.publish(1, 3, 3, 0, new byte[4]);
                guest.flush();
                assertThat(guest.awaitAcked(last, Duration.ofSeconds(20))).isTrue();
                long paid = alice.publish(2, 4, 4, 0, new byte[4]);
                alice.flush();
                assertThat(alice.awaitAcked(paid, Duration.ofSeconds(20))).isTrue();
            }
            assertThat(guestRejects).containsExactly("2 INVALID_EVENT refused by policy read-only-roles-may-not-pay");
            assertThatThrownBy(() -> FerriteClient.connect(ClientConfig.builder("127.0.0.1", port).reconnect(false)
                .token("nobody".getBytes(StandardCharsets.UTF_8)).build())).hasMessageContaining("wrong token");
            String metrics;
            try (HttpClient http = HttpClient.newHttpClient()) {
                metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            }
            assertThat(metrics).contains("ferrite_policy_decisions_total{outcome=\"deny\"} 1.0")
                .contains("ferrite_policy_decisions_total{outcome=\"allow\"} 3.0")
                .contains("ferrite_server_refused_by_policy_total 1.0");

            // a reload: guarded by an admin's token; a broken file keeps the running rules; a good one replaces them
            URI reload = URI.create("http://127.0.0.1:" + adminPort + "/pipeline/reload");
            assertThat(post(reload, null).statusCode()).as("no token").isEqualTo(401);
            assertThat(post(reload, "guest-token").statusCode()).as("not an admin").isEqualTo(401);
            Files.writeString(pipeline, "stages:\n  - name: all\n    use: discard\npolicies:\n  - name: x\n    then: perhaps\n");
            HttpResponse<String> broken = post(reload, "alice-token");
            assertThat(broken.statusCode()).isEqualTo(400);
            assertThat(broken.body()).contains("policies[0].then: 'perhaps' is not an outcome");
            assertThat(rejectsOf(port, "guest-token", 2)).as("the old rules still run").hasSize(1);
            Files.writeString(pipeline, """
                stages:
                  - name: all
                    use: discard
                policies:
                  - name: guests-nothing-at-all
                    when: {principal: guest}
                    then: deny
                """);
            HttpResponse<String> good = post(reload, "alice-token");
            assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
            assertThat(good.body()).contains("1 policies, in this order: guests-nothing-at-all (deny)");
            assertThat(rejectsOf(port, "guest-token", 1)).containsExactly("INVALID_EVENT refused by policy guests-nothing-at-all");

            Files.writeString(pipeline, "stages:\n  - name: all\n    use: discard\n"); // no policies: everything admitted
            ProcessHandle.of(server.pid()).orElseThrow(); // still running
            new ProcessBuilder("kill", "-HUP", String.valueOf(server.pid())).start().waitFor();
            server.awaitLine("ferrite: reloaded ", Duration.ofSeconds(20));
            assertThat(rejectsOf(port, "guest-token", 1)).as("after SIGHUP").isEmpty();
            assertThat(server.terminate(Duration.ofSeconds(30))).isZero();
        }
        CliRun replay = CliRun.of("replay", "--journal", dir.resolve("journal").toString(), "--count");
        assertThat(replay.out().strip()).as("refused events were never journaled").isEqualTo("4");
    }

    @Test
    void theEnrichmentCachesAreSeenAndEmptiedOnTheAdminPort() throws Exception {
        Path table = Files.writeString(dir.resolve("customers.txt"), "1=alice\n2=bob\n12=carol\n");
        Path pipeline = Files.writeString(dir.resolve("enrich.yaml"), """
            stages:
              - name: customers
                use: enrich
                with: {file: '%s', max: 100}
              - name: audit
                use: log
                with: {every: 1, show: customers}
            """.formatted(table));
        Path alerts = Files.writeString(dir.resolve("alerts.conf"), "cache_hit_rate_low.for = 0s\n");
        try (CliProcess server = CliProcess.start("run", "--port", "0", "--admin-port", "0", "--journal",
            dir.resolve("journal").toString(), "--cpus", "none", "--pipeline", pipeline.toString(), "--alert-rules",
            alerts.toString(), "--sample-every", "200ms")) {
            int port = server.awaitReady(Duration.ofSeconds(60));
            String adminPort = server.awaitLine("ferrite listening on ", Duration.ofSeconds(1)).replaceAll(".* admin=", "");
            try (FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", port).build())) {
                long last = 0;
                for (long key : new long[] {1, 2, 12, 1, 2, 99}) { // 4 misses, 2 hits: a 33 % hit rate
                    last = client.publish(1, key, System.nanoTime(), 0, new byte[4]);
                }
                client.flush();
                assertThat(client.awaitAcked(last, Duration.ofSeconds(20))).isTrue();
            }
            Await.until("the log stage logged the sixth event", Duration.ofSeconds(20),
                () -> server.output().contains("audit: event #6 ")); // it shows what the enrichment found
            assertThat(server.output()).contains("key=12 priority=0 payload=4 B enrichment=carol")
                .contains("key=99 priority=0 payload=4 B enrichment=null");
            URI stats = URI.create("http://127.0.0.1:" + adminPort + "/cache/stats");
            try (HttpClient http = HttpClient.newHttpClient()) {
                String body = http.send(HttpRequest.newBuilder(stats).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(body).contains("\"stage\":\"customers\"", "\"entries\":4", "\"hits\":2", "\"misses\":4");
                HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
                    + "/cache?prefix=1")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(deleted.body()).as("keys 1 and 12").contains("\"removed\":2");
                URI alertsUri = URI.create("http://127.0.0.1:" + adminPort + "/alerts");
                Await.until("the low hit rate fired its alert", Duration.ofSeconds(20), () -> {
                    try {
                        return http.send(HttpRequest.newBuilder(alertsUri).build(), HttpResponse.BodyHandlers.ofString())
                            .body().contains("\"alert\":\"cache_hit_rate_low\",\"severity\":\"low\",\"from\":\"inactive\","
                                + "\"to\":\"firing\"");
                    } catch (IOException e) {
                        return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                });
            }
            assertThat(server.terminate(Duration.ofSeconds(30))).isZero();
        }
    }

    /** Publishes one event of {@code type} as the principal of {@code token}; the REJECTs it got. */
    private static List<String> rejectsOf(int port, String token, int type) throws Exception {
        List<String> rejects = new CopyOnWriteArrayList<>();
        try (FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", port)
            .token(token.getBytes(StandardCharsets.UTF_8)).build(), new ClientListener() {
                @Override
                public void onReject(long correlationId, ErrorCode code, String message) {
                    rejects.add(code + " " + message);
                }
            })) {
            long id = client.publish(type, 7, System.nanoTime(), 0, new byte[4]);
            client.flush();
            assertThat(client.awaitAcked(id, Duration.ofSeconds(20))).isTrue();
        }
        return rejects;
    }

    private static HttpResponse<String> post(URI uri, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (java.io.IOException e) {
            return List.of(e.toString());
        }
    }

    private static long lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Compiles a user stage (as a user would write it) and puts it in a jar of its own. */
    private Path userStageJar() throws Exception {
        Path sources = Files.createDirectories(dir.resolve("src/example"));
        Files.writeString(sources.resolve("KeysToFile.java"), """
            package example;

            import io.ferrite.engine.EventHandler;
            import io.ferrite.engine.EventView;
            import java.io.*;
            import java.util.Map;

            public final class KeysToFile implements EventHandler {
                private final PrintWriter out;

                public KeysToFile(Map<String, String> options) throws IOException {
                    out = new PrintWriter(new FileWriter(options.get("file")), true);
                }

                @Override
                public void onEvent(EventView event, long index, boolean endOfBatch) {
                    out.println(event.key());
                }

                @Override
                public void onClose() {
                    out.close();
                }
            }
            """);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
            sources.resolve("KeysToFile.java").toString());
        assertThat(status).as("javac").isZero();
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("example/KeysToFile.class"));
            Files.copy(classes.resolve("example/KeysToFile.class"), (OutputStream) out);
            out.closeEntry();
        }
        return jar;
    }
}
