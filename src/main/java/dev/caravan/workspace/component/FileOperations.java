package dev.caravan.workspace.component;

import dev.caravan.core.Caller;
import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.WorkspaceAccess;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.audit.AuditEvent;
import dev.caravan.workspace.audit.AuditOutcome;
import dev.caravan.workspace.audit.AuditTrail;
import dev.caravan.workspace.lock.LockGuard;
import dev.caravan.workspace.storage.StorageException;
import dev.caravan.workspace.storage.StorageFailureException;
import dev.caravan.workspace.storage.WorkspacePath;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The pipeline every {@link WorkspaceOperation} runs through: access check by its declared scope, the lock guard on
 * the paths it declares it changes, its body (held by its family class), and the audit record it declares. Bodies
 * read their arguments from headers (the route's declared tool parameters), put their result in the body, and set
 * the {@code CaravanWorkspace*} headers where a route may want the details (etag, line counts).
 */
final class FileOperations {
    /** Etag of the file read or written. */
    static final String ETAG = "CaravanWorkspaceEtag";
    /** read_text_file: the line range returned, e.g. "1-10" (empty for an empty file). */
    static final String LINES = "CaravanWorkspaceLines";
    /** read_text_file: lines in the whole file. */
    static final String TOTAL_LINES = "CaravanWorkspaceTotalLines";
    /** read_text_file: whether the file's last line ends with a newline. */
    static final String FINAL_NEWLINE = "CaravanWorkspaceFinalNewline";
    /** A one-sentence account of what was read, for a second result item. */
    static final String SUMMARY = "CaravanWorkspaceSummary";
    /** Bytes a write stored (write_file, edit_file, restore_version); for the audit trail. */
    static final String BYTES = "CaravanWorkspaceBytes";

    private static final Logger log = LoggerFactory.getLogger(FileOperations.class);

    /** Caps that keep one call from filling the heap or running for ever. */
    record Limits(long maxReadBytes, int maxEntries, Duration walkTimeLimit) {
    }

    private final Workspaces workspaces;
    private final LockGuard guard;
    private final AuditTrail audit;
    private final WorkspaceAccess access;
    private final Map<WorkspaceOperation, WorkspaceOperation.Body> bodies = new EnumMap<>(WorkspaceOperation.class);

    /** Parts of {@code services} that are null (no database, e.g. in tests) leave their operations unavailable. */
    FileOperations(Workspaces workspaces, Limits limits, WorkspaceServices services) {
        this.workspaces = workspaces;
        this.guard = services.locks() == null ? LockGuard.NONE : services.locks();
        this.audit = services.audit();
        this.access = services.access();
        WorkspaceOperation.Families families = new WorkspaceOperation.Families(new ReadOperations(limits),
                new WriteOperations(limits), new SearchOperations(limits), new VersionOperations(),
                new LockOperations(services.locks()), new ShareOperations(services.shares()),
                new AuditOperations(services.audit(), services.auditMaxResults()), services.access());
        for (WorkspaceOperation op : WorkspaceOperation.values()) {
            bodies.put(op, op.body(families));
        }
    }

    /**
     * Runs one operation; every storage failure becomes a {@link ToolFailure} with its (agent-safe) message. Every
     * operation that declares so is recorded in the audit trail, failed ones with their outcome class.
     */
    void run(WorkspaceOperation op, String workspaceName, Caller caller, Message message) {
        long started = System.nanoTime();
        String outcome = AuditOutcome.OK;
        String detail = null;
        try {
            // Whatever tools the caller sees, a route may call any operation: check here, where refusals are audited.
            access.check(caller, workspaceName, op.scope());
            OperationCall call = new OperationCall(workspaces, workspaceName, message, caller);
            WorkspaceOperation.Body body = bodies.get(op);
            if (!op.writes()) {
                message.setBody(body.run(call));
            } else {
                String name = call.workspace().name(); // an unknown workspace is named before a bad path
                List<WorkspacePath> changed = op.changedPaths(call.args());
                message.setBody(changed.isEmpty() ? body.run(call)
                        : guard.guarded(name, changed, call.args().strings("lockToken"), () -> body.run(call)));
            }
        } catch (StorageException e) {
            outcome = AuditOutcome.of(e);
            detail = e.getMessage();
            if (e instanceof StorageFailureException) {
                // The message is generic; the cause (host paths, buckets, SDK errors) is for operators only.
                log.warn("Workspace '{}' {} failed: {}", workspaceName, op.id(), e.getMessage(), e.getCause());
            }
            throw new ToolFailure(e.getMessage());
        } catch (RuntimeException e) {
            outcome = AuditOutcome.of(e);
            detail = e instanceof ToolFailure ? e.getMessage() : e.getClass().getSimpleName();
            throw e;
        } finally {
            if (audit != null && op.audit().recorded()) {
                AuditEvent event = auditEvent(op, workspaceName, message, caller, outcome, detail, started);
                if (op.writes() && AuditOutcome.OK.equals(outcome)) {
                    audit.recordChange(event);
                } else {
                    audit.record(event);
                }
            }
        }
    }

    private static AuditEvent auditEvent(WorkspaceOperation op, String workspaceName, Message message, Caller caller,
                                         String outcome, String detail, long started) {
        WorkspaceOperation.Audit declared = op.audit();
        Object lockPath = message.getHeader(LockOperations.LOCK_PATH);
        String path = lockPath != null ? lockPath.toString() : auditPath(message.getHeader(declared.pathArgument()));
        String destination = declared.destinationArgument() == null ? null
                : auditPath(message.getHeader(declared.destinationArgument()));
        long bytes = 0;
        if (AuditOutcome.OK.equals(outcome)) {
            Object written = message.getHeader(BYTES);
            if (written instanceof Number n) {
                bytes = n.longValue();
            } else if (declared.countsBody()) {
                Object body = message.getBody();
                bytes = body instanceof byte[] b ? b.length
                        : body instanceof String t ? t.getBytes(StandardCharsets.UTF_8).length : 0;
            }
        }
        return AuditEvent.of(Instant.now(), caller.principal(), caller.endpoint(), workspaceName, op.id(), path,
                destination, outcome, detail, bytes, (System.nanoTime() - started) / 1_000_000);
    }

    /** A path argument as the audit trail keeps it: canonical when it is a valid path, as given when refused. */
    private static String auditPath(Object raw) {
        if (raw == null) {
            return null;
        }
        if (raw instanceof List<?> list) {
            return String.join(", ", list.stream().map(String::valueOf).toList());
        }
        try {
            return WorkspacePath.of(String.valueOf(raw)).toString();
        } catch (RuntimeException refused) {
            return String.valueOf(raw);
        }
    }
}
