package io.ferrite.cli;

import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.ChronicleJournalReader;
import io.ferrite.engine.journal.JournalReader;
import io.ferrite.engine.journal.JournalRecord;
import io.ferrite.protocol.EventFrame;
import io.ferrite.transport.admin.JsonText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ferrite replay}: prints journaled events, oldest first. Safe while a server appends to the
 * same journal (Chronicle Queue readers and writers may share a directory).
 *
 * <p>Thread-safety: picocli fills the fields, then one thread calls {@link #call()}.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, description = "Print journaled events.")
final class ReplayCommand implements Callable<Integer> {
    @Option(names = "--journal", required = true, description = "The server's journal directory (as given to 'ferrite run --journal').")
    Path journal;

    @Option(names = "--from", description = "First journal index to print (decimal, or 0x hex).")
    String from;

    @Option(names = "--limit", defaultValue = "-1", description = "Print at most N events (default: all).")
    long limit;

    @Option(names = "--json", description = "One JSON object per line.")
    boolean json;

    @Option(names = "--count", description = "Print only the number of events, as a bare integer.")
    boolean count;

    @Spec
    CommandSpec spec;

    private final EventFrame event = new EventFrame();

    @Override
    public Integer call() {
        Path events = journal.resolve("events");
        if (!Files.isDirectory(events)) {
            throw new IllegalArgumentException("no journal at " + journal + " (expected the directory " + events
                + "; pass the same --journal as 'ferrite run')");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (ChronicleJournal chronicle = ChronicleJournal.openToRead(events)) {
            long start = from != null ? parseIndex(from) : chronicle.startOfJournal();
            long end = chronicle.endOfJournal();
            if (count) { // indexes are dense: no need to read a single event
                long available = Math.max(0, end - start);
                out.println(limit < 0 ? available : Math.min(available, limit));
                out.flush();
                return 0;
            }
            try (ChronicleJournalReader reader = chronicle.newReader(false)) {
                reader.moveTo(start);
                long printed = 0;
                int read;
                do {
                    int max = (int) Math.min(1024, limit < 0 ? 1024 : limit - printed);
                    read = max <= 0 ? 0 : reader.read((memory, offset, length, index, endOfBatch) ->
                        out.println(format(memory, offset, length, index)), JournalReader.NO_LIMIT, max);
                    printed += read;
                } while (read > 0);
            }
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        out.flush();
        return 0;
    }

    private String format(MemorySegment memory, long offset, int length, long index) {
        event.wrap(memory, offset + JournalRecord.EVENT_OFFSET, length - JournalRecord.EVENT_OFFSET);
        byte[] payload = new byte[(int) event.payloadLength()];
        MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, event.payloadOffset(), payload, 0, payload.length);
        String text = QueryJson.asText(payload);
        if (json) {
            return String.format(Locale.ROOT,
                "{\"index\":%d,\"type\":%d,\"key\":%d,\"eventId\":%s,\"timestampNanos\":%d,\"priority\":%d,"
                    + "\"payloadSize\":%d,\"%s\":%s}",
                index, Integer.toUnsignedLong(event.type()), event.key(), Long.toUnsignedString(event.eventId()),
                event.timestampNanos(), event.priority(), payload.length, text != null ? "payload" : "payloadHex",
                JsonText.quote(text != null ? text : HexFormat.of().formatHex(payload)));
        }
        return String.format(Locale.ROOT, "index=%d type=%d key=%d eventId=%s timestamp=%d priority=%d size=%d %s",
            index, Integer.toUnsignedLong(event.type()), event.key(), Long.toUnsignedString(event.eventId()),
            event.timestampNanos(), event.priority(), payload.length,
            text != null ? "text=" + text : "hex=" + HexFormat.of().formatHex(payload));
    }

    static long parseIndex(String text) {
        try {
            String trimmed = text.trim().toLowerCase(Locale.ROOT);
            return trimmed.startsWith("0x") ? Long.parseUnsignedLong(trimmed.substring(2), 16) : Long.parseLong(trimmed);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--from '" + text + "' is not a journal index (decimal or 0x hex)", e);
        }
    }
}
