package io.ferrite.transport.admin;

import java.util.List;
import java.util.Map;

/**
 * What a route is asked: the method, the path and the query parameters (decoded).
 *
 * <p>Thread-safety: immutable.
 */
public record AdminRequest(String method, String path, Map<String, List<String>> parameters) {
    public AdminRequest {
        parameters = Map.copyOf(parameters);
    }

    /** The first value of {@code name}, or {@code fallback} when it was not given. */
    public String parameter(String name, String fallback) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? fallback : values.getFirst();
    }
}
