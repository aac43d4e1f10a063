package io.ferrite.cli;

import io.ferrite.pipeline.windows.WindowStage;
import io.ferrite.pipeline.windows.WindowsView;
import io.ferrite.transport.admin.AdminResponse;
import io.ferrite.transport.node.FerriteNode;

import java.util.List;
import java.util.Objects;

/**
 * {@code GET /windows} on the admin port: for each window stage, the newest window still open
 * (all groups together, and the busiest), and its counts — as each stage last showed it (at most a
 * second old; {@code ageMillis} says). {@code ?stage=NAME} picks one.
 *
 * <p>Thread-safety: the route reads the stages' published views.
 */
final class WindowRoutes {
    private WindowRoutes() {
    }

    static void addTo(FerriteNode.Builder node, List<WindowStage> windows) {
        if (windows.isEmpty()) {
            return;
        }
        node.adminRoute("GET", "/windows", request -> {
            String only = request.parameter("stage", null);
            if (only != null && windows.stream().noneMatch(window -> window.name().equals(only))) {
                return AdminResponse.error(404, "no window stage '" + only + "'; the window stages are "
                    + windows.stream().map(WindowStage::name).toList());
            }
            List<String> views = windows.stream().filter(window -> only == null || window.name().equals(only))
                .map(WindowStage::view).filter(Objects::nonNull).map(WindowsView::json).toList();
            return AdminResponse.json(200, "{\"windows\":[" + String.join(",", views) + "]}");
        });
    }
}
