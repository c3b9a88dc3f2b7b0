package dev.caravan.workspace.lock;

import dev.caravan.workspace.storage.WorkspacePath;

import java.time.Instant;

/**
 * A lock as stored (never with its token). A lock on a directory covers everything under it; a lock on the root
 * ({@code path} "") covers the whole workspace.
 */
public record WorkspaceLock(String id, String workspace, String path, LockMode mode, String holder,
                            Instant acquiredAt, Instant expiresAt) {

    public boolean liveAt(Instant now) {
        return expiresAt.isAfter(now);
    }

    /** Whether this lock's path and {@code other} are the same, or one is inside the other. */
    public boolean overlaps(WorkspacePath other) {
        WorkspacePath mine = WorkspacePath.of(path);
        return other.startsWith(mine) || mine.startsWith(other);
    }

    /** For messages: "the whole workspace" or 'docs/a.txt'. */
    public String shownPath() {
        return path.isEmpty() ? "the whole workspace" : "'" + path + "'";
    }
}
