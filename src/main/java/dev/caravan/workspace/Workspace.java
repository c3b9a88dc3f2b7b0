package dev.caravan.workspace;

import dev.caravan.workspace.versions.VersionedStorage;

/**
 * A workspace in use: its declaration and its storage (with versions). Locks, audit and scopes will wrap
 * {@link #storage()} the same way versions do.
 */
public record Workspace(WorkspaceConfig config, VersionedStorage storage) {
    public String name() {
        return config.name();
    }

    /** What agents may see: never a host path, bucket or endpoint. */
    public String backend() {
        return config.backend().name().toLowerCase();
    }
}
