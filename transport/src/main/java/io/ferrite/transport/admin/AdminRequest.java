package io.ferrite.transport.admin;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a route is asked: the method, the path, the query parameters (decoded) and the request
 * headers (names in lower case; the first value of each).
 *
 * <p>Thread-safety: immutable.
 */
public record AdminRequest(String method, String path, Map<String, List<String>> parameters,
                           Map<String, String> headers) {
    public AdminRequest {
        parameters = Map.copyOf(parameters);
        headers = Map.copyOf(headers);
    }

    /** The header {@code name} (any case), or {@code fallback} when it was not sent. */
    public String header(String name, String fallback) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), fallback);
    }

    /** The first value of {@code name}, or {@code fallback} when it was not given. */
    public String parameter(String name, String fallback) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? fallback : values.getFirst();
    }
}
