package io.ferrite.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI's contract, in this JVM through picocli: {@code --help} on every command exits 0 and
 * names each of its flags; a wrong flag or flag value exits 2, before anything starts, with
 * {@code ferrite: <what is wrong>} naming the flag and a pointer to {@code --help}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FerriteCliTest {
    @TempDir
    static Path dir;

    /** One wrong command line and a fragment the error must contain. */
    record BadLine(List<String> args, String says) {
        @Override
        public String toString() {
            return String.join(" ", args) + " -> " + says;
        }
    }

    @Test
    void helpOnEveryCommandExitsZeroAndNamesEveryFlag() {
        CommandLine root = FerriteCli.commandLine();
        List<String> commands = new ArrayList<>(root.getSubcommands().keySet());
        assertThat(commands).contains("run", "send", "replay", "demo", "help");
        assertHelp(List.of(), root);
        for (String command : commands) {
            assertHelp(List.of(command), root.getSubcommands().get(command));
        }
    }

    private static void assertHelp(List<String> command, CommandLine expected) {
        List<String> args = new ArrayList<>(command);
        args.add("--help");
        CliRun help = CliRun.of(args.toArray(String[]::new));
        assertThat(help.status()).as("%s: %s", args, help).isZero();
        assertThat(help.err()).as("%s stderr", args).isEmpty();
        assertThat(help.out()).as("%s", args).contains("Usage: ferrite");
        for (OptionSpec option : expected.getCommandSpec().options()) {
            assertThat(help.out()).as("%s names %s", args, option.longestName()).contains(option.longestName());
        }
    }

    static Stream<BadLine> badLines() {
        String missing = dir.resolve("no-such-token").toString();
        return Stream.of(
            new BadLine(List.of(), "a command is required"),
            new BadLine(List.of("bogus"), "Unmatched argument at index 0: 'bogus'"),
            run("--bogus", null, "Unknown option: '--bogus'"),
            run("--port", "70000", "--port must be 0..65535"),
            run("--port", "seventy", "Invalid value for option '--port': 'seventy' is not an int"),
            run("--admin-port", "-1", "--admin-port must be 0..65535"),
            run("--durability", "bogus", "--durability 'bogus' is not one of async, sync, memory"),
            run("--transport", "bogus", "--transport: transport 'bogus' is not one of auto, io_uring, epoll, nio"),
            run("--max-frame", "-1", "--max-frame must be at least 64 bytes, was -1"),
            run("--dedup-window", "nonsense", "--dedup-window: duration 'nonsense' is not like 500ms, 30s, 10m or 2h"),
            run("--dedup-max-ids", "-1", "--dedup-max-ids must be >= 0 (0 turns deduplication off), was -1"),
            run("--token-file", missing, "--token-file " + missing + " does not exist"),
            run("--backpressure", "bogus", "--backpressure: backpressure 'bogus' is not one of block, reject"),
            run("--idle", "bogus", "--idle: idle strategy 'bogus' is not one of"),
            run("--cpus", "bogus", "--cpus: "),
            run("--handshake-timeout", "0s", "--handshake-timeout must be more than 0"),
            run("--idle-timeout", "soon", "--idle-timeout: duration 'soon' is not like"),
            run("--max-connections", "0", "--max-connections must be at least 1, was 0"),
            run("--auth-failures-per-minute", "-1", "--auth-failures-per-minute must be >= 0 (0 = no limit), was -1"),
            run("--checkpoint-every", "0", "--checkpoint-every must be positive, was 0"),
            run("--alert-p99-ms", "0", "--alert-p99-ms must be more than 0, was 0.0"),
            run("--alert-rules", missing, "--alert-rules: cannot read alert rules file " + missing),
            run("--pipeline", missing, "cannot read pipeline file " + missing),
            run("--tokens-file", missing, "cannot read tokens file " + missing),
            new BadLine(List.of("pipeline"), "a subcommand is required: check"),
            new BadLine(List.of("pipeline", "check"), "Missing required parameter: 'FILE'"),
            run("--jfr", dir.resolve("no-dir").resolve("x.jfr").toString(), "--jfr " + dir.resolve("no-dir").resolve("x.jfr") + ": the directory"),
            run("--tls-cert", missing, "--tls-cert and --tls-key go together"),
            run("--tls-client-ca", missing, "--tls-client-ca needs --tls-cert and --tls-key"),
            run("--tls-provider", "bogus", "--tls-provider: 'bogus' is not one of auto, openssl, jdk"),
            new BadLine(List.of("run", "--port", "0", "--admin-port", "0", "--durability", "memory", "--tls-cert", missing,
                "--tls-key", missing), "--tls-cert/--tls-key: TLS certificate chain " + missing + " is not a readable file"),
            new BadLine(List.of("send", "--tls-key", missing), "--tls-cert and --tls-key go together"),
            new BadLine(List.of("send", "--tls-ca", missing), "--tls-ca/--tls-cert/--tls-key: cannot read " + missing),
            new BadLine(List.of("profile", "--tls-ca", missing), "--tls-ca/--tls-cert/--tls-key: cannot read " + missing),
            new BadLine(List.of("send", "--port", "70000"), "--port must be 1..65535, was 70000"),
            new BadLine(List.of("send", "--count", "-1"), "--count, --rate and --size must be >= 0"),
            new BadLine(List.of("send", "--window", "0"), "--window must be 1..1048576 events, was 0"),
            new BadLine(List.of("send", "--warmup", "later"), "--warmup: duration 'later' is not like"),
            new BadLine(List.of("send", "--ack-timeout", "soon"), "--ack-timeout: duration 'soon' is not like"),
            new BadLine(List.of("send", "--token-file", missing), "--token-file " + missing + " does not exist"),
            new BadLine(List.of("replay"), "Missing required option: '--journal=<journal>'"),
            run("--kafka-topic", "in", "--kafka-topic and --kafka-group go together"),
            run("--kafka-group", "g", "--kafka-topic and --kafka-group go together"),
            run("--forward-kafka", "in", "--forward-kafka needs --kafka-bootstrap HOST:PORT"),
            run("--kafka-output-topic", "out", "--kafka-output-topic needs --kafka-topic and --kafka-group"),
            run("--forward-ack", "maybe", "--forward-ack: expected journal or kafka, was 'maybe'"),
            run("--kafka-guarantee", "twice", "--kafka-guarantee: expected exactly-once or at-least-once, was 'twice'"),
            run("--kafka-properties", missing, "--kafka-properties " + missing + ": cannot read it (no such file)"),
            new BadLine(List.of("status", "--admin-port", "0"), "--admin-port must be 1..65535, was 0"),
            new BadLine(List.of("replay", "--journal", dir.resolve("none").toString()), "no journal at"),
            new BadLine(List.of("demo", "--seconds", "1"), "--seconds must be >= 2, --connections and --rate >= 1"),
            new BadLine(List.of("demo", "--warmup", "soon"), "--warmup: duration 'soon' is not like 500ms, 30s, 10m or 2h"));
    }

    /** {@code ferrite run} on free ports without a journal, with one flag set wrong. */
    private static BadLine run(String flag, String value, String says) {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("--port", "0");
        flags.put("--admin-port", "0");
        flags.put("--durability", "memory");
        flags.put("--journal", dir.resolve("journal").toString());
        flags.put(flag, value);
        List<String> args = new ArrayList<>(List.of("run"));
        flags.forEach((name, v) -> {
            args.add(name);
            if (v != null) {
                args.add(v);
            }
        });
        return new BadLine(args, says);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLines")
    void aWrongFlagExitsTwoSayingWhatToFix(BadLine line) {
        CliRun run = CliRun.of(line.args().toArray(String[]::new));
        assertThat(run.status()).as("%s", run).isEqualTo(2);
        assertThat(run.err()).as("%s", run).startsWith("ferrite: ").contains(line.says()).contains("--help");
        assertThat(run.out()).as("nothing started, nothing printed on stdout").isEmpty();
    }
}
