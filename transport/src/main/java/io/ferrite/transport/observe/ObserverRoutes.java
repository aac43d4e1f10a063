package io.ferrite.transport.observe;

import io.ferrite.transport.admin.AdminResponse;
import io.ferrite.transport.admin.AdminServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The admin port's observability endpoints over a {@link NodeObserver}: {@code GET /status},
 * {@code GET /history?limit=N}, {@code GET /alerts}, {@code GET /report}, {@code GET /dashboard} (a live page, uPlot
 * served from its webjar on the classpath, no CDN), and the mutating {@code DELETE /alerts} and
 * {@code DELETE /metrics} (reset the latency windows), which need the token when there is one.
 *
 * <p>Thread-safety: stateless; routes run on the admin server's virtual threads.
 */
public final class ObserverRoutes {
    /** The uPlot webjar's files, as packaged. */
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final int DEFAULT_HISTORY = 1_000;

    private ObserverRoutes() {
    }

    public static void install(AdminServer.Builder admin, NodeObserver observer, String transport, String durability) {
        byte[] page = resource("/io/ferrite/transport/observe/dashboard.html");
        byte[] script = resource(UPLOT + "uPlot.iife.min.js");
        byte[] style = resource(UPLOT + "uPlot.min.css");
        admin.route("GET", "/status", request -> AdminResponse.json(200, StatusJson.status(observer, transport, durability)))
            .route("GET", "/history", request -> {
                int limit = parseLimit(request.parameter("limit", String.valueOf(DEFAULT_HISTORY)));
                return AdminResponse.json(200, StatusJson.history(observer, limit));
            })
            .route("GET", "/alerts", request -> AdminResponse.json(200, StatusJson.alerts(observer.alerts())))
            .route("GET", "/report", request -> {
                String report = observer.latestReportJson();
                return report == null ? AdminResponse.error(404, "no report yet: the first is made when the first"
                    + " report period (--report-every) ends") : AdminResponse.json(200, report);
            })
            .route("GET", "/dashboard", request -> new AdminResponse(200, "text/html; charset=utf-8", page))
            .route("GET", "/dashboard/uPlot.iife.min.js", request -> new AdminResponse(200, "text/javascript", script))
            .route("GET", "/dashboard/uPlot.min.css", request -> new AdminResponse(200, "text/css", style))
            .guardedRoute("DELETE", "/alerts", request -> {
                observer.alerts().clearTransitions();
                return AdminResponse.json(200, "{\"cleared\":\"transitions\"}");
            })
            .guardedRoute("DELETE", "/metrics", request -> {
                observer.resetWindows();
                return AdminResponse.json(200, "{\"cleared\":\"latency windows\"}");
            });
    }

    private static int parseLimit(String text) {
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be at least 1, was " + limit);
            }
            return limit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit must be a whole number, was '" + text + "'", e);
        }
    }

    private static byte[] resource(String path) {
        try (InputStream in = ObserverRoutes.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path + " (the uPlot webjar or the dashboard page)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
