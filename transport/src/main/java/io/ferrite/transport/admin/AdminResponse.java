package io.ferrite.transport.admin;

import java.nio.charset.StandardCharsets;

/**
 * A route's answer: an HTTP status, a content type and the body.
 *
 * <p>Thread-safety: immutable (do not change {@link #body()}).
 */
public record AdminResponse(int status, String contentType, byte[] body) {

    /** A JSON document (a line feed is appended). */
    public static AdminResponse json(int status, String json) {
        return new AdminResponse(status, "application/json", (json + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** {@code {"error": message}} with {@code status}. */
    public static AdminResponse error(int status, String message) {
        return json(status, "{\"error\":" + JsonText.quote(String.valueOf(message)) + "}");
    }
}
