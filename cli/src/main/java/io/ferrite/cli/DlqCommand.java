package io.ferrite.cli;

import io.ferrite.engine.journal.DeadLetterJournal;
import io.ferrite.engine.journal.DeadLetterJournal.DeadLetter;
import io.ferrite.engine.journal.JournalRecord;
import io.ferrite.pipeline.Pipeline;
import io.ferrite.pipeline.PipelineFile;
import io.ferrite.pipeline.actions.ActionReplay;
import io.ferrite.pipeline.actions.ActionSpec;
import io.ferrite.protocol.EventFrame;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code ferrite dlq list|show|replay|purge --journal DIR}: the dead-letter journal of a server —
 * events whose handler threw, or whose action gave up — read while the server runs (list, show),
 * their actions run again (replay, from the pipeline file), or emptied once the server stopped (purge).
 */
@Command(name = "dlq", mixinStandardHelpOptions = true,
    description = "List, show, replay or purge a server's dead letters (events a stage or an action gave up on).",
    subcommands = {DlqCommand.ListLetters.class, DlqCommand.ShowLetter.class, DlqCommand.ReplayLetters.class,
        DlqCommand.PurgeLetters.class})
final class DlqCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The dead letters of {@code journal}, oldest first, numbered from 1. */
    static List<DeadLetter> read(Path journal) {
        Path directory = journal.resolve("dead-letter");
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("--journal " + journal + ": no dead-letter journal there (a server that ran"
                + " with this --journal has one)");
        }
        try (DeadLetterJournal letters = DeadLetterJournal.open(directory)) {
            return letters.readAll();
        }
    }

    /** The event in a dead letter's record. */
    static EventFrame event(DeadLetter letter) {
        return new EventFrame().wrap(MemorySegment.ofArray(letter.record()), JournalRecord.EVENT_OFFSET,
            letter.record().length - JournalRecord.EVENT_OFFSET);
    }

    static String describe(int number, DeadLetter letter) {
        EventFrame event = event(letter);
        return String.format("#%d index=%d stage=%s eventId=%s type=%d key=%d priority=%d payload=%dB error=%s", number,
            letter.index(), letter.stage(), Long.toUnsignedString(event.eventId()), event.type(), event.key(),
            event.priority(), event.payloadLength(), letter.error());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "One line per dead letter, oldest first.")
    static final class ListLetters implements Callable<Integer> {
        @Option(names = "--journal", required = true, description = "The server's journal directory.")
        Path journal;

        @Option(names = "--stage", description = "Only this stage's.")
        String stage;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<DeadLetter> letters = read(journal);
            for (int i = 0; i < letters.size(); i++) {
                if (stage == null || stage.equals(letters.get(i).stage())) {
                    out.println(describe(i + 1, letters.get(i)));
                }
            }
            out.printf("%d dead letter%s%n", letters.size(), letters.size() == 1 ? "" : "s");
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One dead letter in full, with its payload.")
    static final class ShowLetter implements Callable<Integer> {
        @Option(names = "--journal", required = true, description = "The server's journal directory.")
        Path journal;

        @Parameters(paramLabel = "N", description = "Its number in 'dlq list'.")
        int number;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<DeadLetter> letters = read(journal);
            if (number < 1 || number > letters.size()) {
                throw new IllegalArgumentException("N: no dead letter #" + number + "; there are " + letters.size());
            }
            DeadLetter letter = letters.get(number - 1);
            EventFrame event = event(letter);
            byte[] payload = new byte[(int) event.payloadLength()];
            event.copyPayloadTo(MemorySegment.ofArray(payload), 0);
            PrintWriter out = spec.commandLine().getOut();
            out.println(describe(number, letter));
            out.println("payload (hex): " + HexFormat.of().formatHex(payload));
            out.println("payload (base64): " + Base64.getEncoder().encodeToString(payload));
            out.flush();
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Run the actions of dead letters again (same Idempotency-Key, the action's retries), from the pipeline file.")
    static final class ReplayLetters implements Callable<Integer> {
        @Option(names = "--journal", required = true, description = "The server's journal directory.")
        Path journal;

        @Option(names = "--pipeline", required = true, description = "The pipeline file that declares the actions.")
        Path pipelineFile;

        @Option(names = "--stage", description = "Only this stage's.")
        String stage;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            Pipeline pipeline = PipelineFile.read(pipelineFile);
            PrintWriter out = spec.commandLine().getOut();
            List<DeadLetter> letters = read(journal);
            int replayed = 0;
            int failed = 0;
            try (ActionReplay replay = new ActionReplay()) {
                for (int i = 0; i < letters.size(); i++) {
                    DeadLetter letter = letters.get(i);
                    String name = ActionReplay.actionOf(letter.error());
                    if (name == null || stage != null && !stage.equals(letter.stage())) {
                        continue; // not an action's dead letter (a handler threw): nothing to run again
                    }
                    ActionSpec action = pipeline.actions().stream().filter(a -> a.name().equals(name)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("--pipeline " + pipelineFile + ": no action '"
                            + name + "' (dead letter #" + (letters.indexOf(letter) + 1) + ")"));
                    String error = replay.replay(action, letter.record());
                    out.printf("#%d %s: %s%n", i + 1, name, error == null ? "done" : "failed again: " + error);
                    out.flush();
                    if (error == null) {
                        replayed++;
                    } else {
                        failed++;
                    }
                }
            }
            out.printf("%d replayed, %d failed again%n", replayed, failed);
            out.flush();
            return failed == 0 ? 0 : 1;
        }
    }

    @Command(name = "purge", mixinStandardHelpOptions = true,
        description = "Delete every dead letter. Stop the server first: it keeps the journal open.")
    static final class PurgeLetters implements Callable<Integer> {
        @Option(names = "--journal", required = true, description = "The server's journal directory.")
        Path journal;

        @Option(names = "--yes", description = "Really delete them.")
        boolean yes;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            int count = read(journal).size();
            if (!yes) {
                throw new IllegalArgumentException("purge deletes " + count + " dead letters for good: add --yes");
            }
            try (Stream<Path> files = Files.walk(journal.resolve("dead-letter"))) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
            spec.commandLine().getOut().printf("purged %d dead letters%n", count);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
