package io.ferrite.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The admin port as the CLI tests read it: a page's body, or one series of {@code /metrics}.
 * A server not (or no longer) answering reads as an empty body or -1, so tests wait on conditions.
 *
 * <p>Thread-safety: stateless.
 */
final class AdminHttp {
    private AdminHttp() {
    }

    /** The body at {@code url}, or "" when the server does not answer. */
    static String get(String url) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The value of the series {@code name} (with its labels, as exposed) on {@code /metrics}, or -1. */
    static double metric(String adminPort, String name) {
        return get("http://127.0.0.1:" + adminPort + "/metrics").lines().filter(line -> line.startsWith(name + " "))
            .mapToDouble(line -> Double.parseDouble(line.substring(name.length() + 1))).findFirst().orElse(-1);
    }
}
