package io.ferrite.cli;

import io.ferrite.pipeline.index.QueryResult;
import io.ferrite.transport.admin.JsonText;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;

/**
 * How query results are written: one event as a JSON object or a line of text (the payload as
 * text when it is printable UTF-8, else hex), and a whole result as the JSON {@code GET /query}
 * answers.
 *
 * <p>Thread-safety: stateless.
 */
final class QueryJson {
    private QueryJson() {
    }

    static String event(QueryResult.Hit hit) {
        String text = asText(hit.payload());
        return String.format(Locale.ROOT, "{\"index\":%d,\"type\":%d,\"key\":%d,\"eventId\":\"%s\",\"timestampNanos\":%d,"
                + "\"priority\":%d,\"tags\":[%s],\"payloadSize\":%d,\"%s\":%s}",
            hit.index(), Integer.toUnsignedLong(hit.type()), hit.key(), Long.toUnsignedString(hit.eventId()),
            hit.timestampNanos(), hit.priority(), String.join(",", hit.tags().stream().map(JsonText::quote).toList()),
            hit.payload().length, text != null ? "payload" : "payloadHex",
            JsonText.quote(text != null ? text : HexFormat.of().formatHex(hit.payload())));
    }

    static String line(QueryResult.Hit hit) {
        String text = asText(hit.payload());
        return String.format(Locale.ROOT, "index=%d type=%d key=%d eventId=%s timestamp=%d priority=%d%s size=%d %s",
            hit.index(), Integer.toUnsignedLong(hit.type()), hit.key(), Long.toUnsignedString(hit.eventId()),
            hit.timestampNanos(), hit.priority(), hit.tags().isEmpty() ? "" : " tags=" + String.join(",", hit.tags()),
            hit.payload().length, text != null ? "text=" + text : "hex=" + HexFormat.of().formatHex(hit.payload()));
    }

    /**
     * {@code {"query":..., "how":..., "matched":N, "complete":B, "scanned":N, "tookMicros":N, "events":[...]}}:
     * {@code matched} counts every match only when {@code complete} (ask {@code count=true} for that).
     */
    static String result(String query, QueryResult result) {
        return String.format(Locale.ROOT, "{\"query\":%s,\"how\":%s,\"matched\":%d,\"complete\":%b,\"scanned\":%d,"
                + "\"tookMicros\":%d,\"events\":[%s]}", JsonText.quote(query), JsonText.quote(result.how()), result.matched(),
            result.complete(), result.scanned(),
            result.tookNanos() / 1_000, String.join(",", result.hits().stream().map(QueryJson::event).toList()));
    }

    /** The payload as text when it is printable UTF-8, else null. */
    static String asText(byte[] payload) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
            return text.chars().allMatch(c -> c >= 0x20 && c != 0x7f || c == '\t') ? text : null;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
