package dev.caravan.workspace;

import dev.caravan.connectors.WatchedConnectorFile;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Watches {@code CONNECTORS_DIR/workspaces.yaml} and applies it to {@link Workspaces}, as {@code UpstreamsFile}
 * does for upstreams. A file that cannot be used (bad YAML, a bad key, an unset {@code ${ENV}}) changes nothing:
 * the workspaces in use stay, and {@link #status()} (and the log) name the file, the line when known, and the
 * reason. A deleted file removes every workspace (their files stay where they are).
 */
class WorkspacesFile extends WatchedConnectorFile<WorkspaceConfig, WorkspacesFile.Status> {
    public static final String NAME = "workspaces.yaml";

    private final Workspaces workspaces;

    /** @param state loaded, failed (the previous declaration stays in use) or absent */
    public record Status(String file, String state, Integer line, String error, int workspaces, Instant checkedAt) {
    }

    public WorkspacesFile(Path connectorsDir, Workspaces workspaces, Duration pollInterval) {
        super(connectorsDir.toAbsolutePath().normalize().resolve(NAME), pollInterval, "workspaces-watcher",
                "workspace", "the previous workspaces stay in use", Status::new);
        this.workspaces = workspaces;
    }

    @Override
    protected List<WorkspaceConfig> parse(String yaml, String file) {
        return WorkspaceConfigParser.parse(yaml, file);
    }

    /** A workspace that cannot be built (e.g. an unset ${ENV}) rejects the whole file, like a parse error. */
    @Override
    protected void apply(List<WorkspaceConfig> configs) {
        try {
            workspaces.apply(configs);
        } catch (IllegalArgumentException e) {
            throw new WorkspaceConfigException(file().toString(), null, e.getMessage());
        }
    }

    @Override
    protected int inUse() {
        return workspaces.all().size();
    }
}
