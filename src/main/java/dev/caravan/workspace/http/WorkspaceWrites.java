package dev.caravan.workspace.http;

import dev.caravan.workspace.Workspace;
import dev.caravan.workspace.audit.AuditEvent;
import dev.caravan.workspace.audit.AuditOutcome;
import dev.caravan.workspace.audit.AuditTrail;
import dev.caravan.workspace.lock.LockGuard;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.Precondition;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.storage.WriteOptions;

import java.io.InputStream;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every change made through the HTTP faces (the file API, share uploads) goes through here: past the locks (as the
 * tools' changes do), into the versioned storage (so overwritten and deleted content is kept as a version), and
 * into the audit trail.
 */
public class WorkspaceWrites {
    /**
     * Who asks, for the locks and the audit trail.
     *
     * @param principal  "admin", a credential's principal such as {@code sales/default}, or {@code share:ID}
     * @param endpoint   the credential's endpoint, or null
     * @param lockTokens the lock tokens the request presents (header {@code Lock-Token}, comma-separated)
     */
    public record Actor(String principal, String endpoint, Collection<String> lockTokens) {
    }

    private final LockGuard locks;
    private final AuditTrail audit;

    /** @param audit null to record nothing (no database) */
    public WorkspaceWrites(LockGuard locks, AuditTrail audit) {
        this.locks = locks == null ? LockGuard.NONE : locks;
        this.audit = audit;
    }

    /** Writes a file from the request body, streamed. */
    public FileInfo write(Actor actor, Workspace workspace, WorkspacePath path, InputStream body, WriteOptions options) {
        return apply(actor, workspace, "http_put", path,
                () -> workspace.storage().write(path, Streams.from(body), options));
    }

    public void delete(Actor actor, Workspace workspace, WorkspacePath path, Precondition precondition) {
        apply(actor, workspace, "http_delete", path, () -> {
            workspace.storage().delete(path, precondition);
            return null;
        });
    }

    public FileInfo createDirectory(Actor actor, Workspace workspace, WorkspacePath path) {
        return apply(actor, workspace, "http_mkdir", path, () -> workspace.storage().createDirectory(path));
    }

    /**
     * Refuses a PUT at once when the path is locked for this actor, before a large body is read (the write itself
     * checks again); a refusal is recorded like a refused write.
     */
    public void checkUnlocked(Actor actor, Workspace workspace, WorkspacePath path) {
        long started = System.nanoTime();
        try {
            locks.check(workspace.name(), List.of(path), actor.lockTokens());
        } catch (RuntimeException e) {
            record(actor, workspace, "http_put", path, AuditOutcome.of(e), e.getMessage(), 0, started);
            throw e;
        }
    }

    // The one gate for HTTP mutations.
    private <T> T apply(Actor actor, Workspace workspace, String operation, WorkspacePath path, Supplier<T> mutation) {
        long started = System.nanoTime();
        String outcome = AuditOutcome.OK;
        String detail = null;
        T result = null;
        try {
            result = locks.guarded(workspace.name(), List.of(path), actor.lockTokens(), mutation);
            return result;
        } catch (RuntimeException e) {
            outcome = AuditOutcome.of(e);
            detail = e.getMessage();
            throw e;
        } finally {
            long bytes = result instanceof FileInfo info && info.type() == FileInfo.Type.FILE ? info.size() : 0;
            record(actor, workspace, operation, path, outcome, detail, bytes, started);
        }
    }

    private void record(Actor actor, Workspace workspace, String operation, WorkspacePath path, String outcome,
                        String detail, long bytes, long started) {
        if (audit != null) {
            audit.recordChange(AuditEvent.of(Instant.now(), actor.principal(), actor.endpoint(), workspace.name(), operation,
                    path.toString(), null, outcome, detail, bytes, (System.nanoTime() - started) / 1_000_000));
        }
    }
}
