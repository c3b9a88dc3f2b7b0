package dev.caravan.ops;

import dev.caravan.routes.RouteDirectory;
import dev.caravan.routes.RouteFileStatus;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The route files: out of service until every file present at start has been loaded once (the readiness group
 * includes this, so a load balancer sends no traffic to a node whose catalogue is still filling); then up, with the
 * files that failed and why. A broken file does not take the node down: its previous version, if any, serves.
 */
final class RoutesHealth implements HealthIndicator {
    private final RouteDirectory routes;

    RoutesHealth(RouteDirectory routes) {
        this.routes = routes;
    }

    @Override
    public Health health() {
        if (!routes.loadedOnce()) {
            return Health.outOfService().withDetail("reason", "route files are still loading").build();
        }
        List<RouteFileStatus> all = routes.status();
        List<Map<String, Object>> failed = all.stream().filter(s -> "failed".equals(s.state())).map(s -> {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("file", s.file());
            f.put("errors", s.errors());
            f.put("servingPrevious", s.servingPrevious());
            return f;
        }).toList();
        return Health.up().withDetail("files", all.size()).withDetail("failed", failed).build();
    }
}
