package dev.caravan.ops;

import dev.caravan.upstream.UpstreamStatus;
import dev.caravan.upstream.Upstreams;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each upstream's state. Always UP: an upstream that is down is the same on every node, so taking this node out of
 * the load balancer would not help; {@code degraded} says that some upstream is not online.
 */
final class UpstreamsHealth implements HealthIndicator {
    private final Upstreams upstreams;

    UpstreamsHealth(Upstreams upstreams) {
        this.upstreams = upstreams;
    }

    @Override
    public Health health() {
        Map<String, Object> each = new LinkedHashMap<>();
        boolean degraded = false;
        for (UpstreamStatus s : upstreams.statuses()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("state", s.state());
            d.put("tools", s.toolCount());
            if (s.lastError() != null && !"online".equals(s.state())) {
                d.put("lastError", s.lastError());
            }
            degraded |= !"online".equals(s.state()) && !"disabled".equals(s.state());
            each.put(s.name(), d);
        }
        return Health.up().withDetail("degraded", degraded).withDetail("upstreams", each).build();
    }
}
