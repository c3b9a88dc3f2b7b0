package dev.caravan.ops;

import dev.caravan.workspace.Workspace;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.storage.StorageException;
import dev.caravan.workspace.storage.WorkspacePath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

import java.util.LinkedHashMap;
import java.util.Map;

/** Whether each workspace's storage answers (its root can be looked up); DOWN when one does not. */
final class WorkspacesHealth implements HealthIndicator {
    private static final Logger log = LoggerFactory.getLogger(WorkspacesHealth.class);
    private final Workspaces workspaces;

    WorkspacesHealth(Workspaces workspaces) {
        this.workspaces = workspaces;
    }

    @Override
    public Health health() {
        Map<String, Object> each = new LinkedHashMap<>();
        boolean allUp = true;
        for (Workspace w : workspaces.all()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("backend", w.backend());
            try {
                w.storage().find(WorkspacePath.ROOT);
                d.put("reachable", true);
            } catch (RuntimeException e) {
                allUp = false;
                d.put("reachable", false);
                // Storage exceptions carry messages written for agents (no host path); anything else is logged only.
                d.put("error", e instanceof StorageException ? e.getMessage() : "storage error; see the server log");
                if (!(e instanceof StorageException)) {
                    log.warn("Workspace '{}' storage check failed", w.name(), e);
                }
            }
            each.put(w.name(), d);
        }
        return (allUp ? Health.up() : Health.down()).withDetail("workspaces", each).build();
    }
}
