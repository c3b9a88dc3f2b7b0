package dev.caravan.workspace;

import dev.caravan.tool.Caller;
import dev.caravan.tool.ToolFailure;
import dev.caravan.tool.WorkspaceScopes;
import dev.caravan.tool.WorkspaceScopes.Operation;
import dev.caravan.workspace.audit.AuditOutcome;

import java.util.Set;

/**
 * The one place that decides whether a caller may do an operation on a workspace. A caller may when
 * <ol>
 * <li>its credential's scopes are unrestricted (the default; also calls outside MCP, {@link Caller#NONE}), or</li>
 * <li>its scopes cover the workspace (name or glob) and hold the operation, or</li>
 * <li>it owns the workspace, or holds a grant on it (e.g. a previous owner who kept access): owners may do every
 * operation on their workspace whatever their scopes say, through the tools their endpoint publishes.</li>
 * </ol>
 * The workspace component asks before every operation (defence in depth: a route may call any operation, whatever
 * tools the credential sees); the file HTTP API and shares should ask the same.
 */
public class WorkspaceAccess {
    /** Scopes only, no ownership: for a component used without the database (tests). */
    public static final WorkspaceAccess SCOPES_ONLY = new WorkspaceAccess(null);

    private static final Set<String> READ = Set.of("list_workspaces", "read_text_file", "read_media_file",
            "read_multiple_files", "list_directory", "list_directory_with_sizes", "directory_tree", "search_files",
            "grep_files", "get_file_info", "list_versions");
    private static final Set<String> WRITE = Set.of("write_file", "edit_file", "create_directory", "move_file",
            "copy_file", "delete_file", "restore_version");

    private final Ownership ownership;

    public WorkspaceAccess(Ownership ownership) {
        this.ownership = ownership;
    }

    /**
     * The operation scope a workspace operation (as named in {@code workspace:NAME?operation=OP}) needs:
     * {@code lock_*} lock, {@code share_*} share, anything else not known to read or write: admin, so that an
     * operation added later is closed to restricted credentials until it is mapped here.
     */
    public static Operation scopeOf(String operation) {
        if (READ.contains(operation)) {
            return Operation.READ;
        }
        if (WRITE.contains(operation)) {
            return Operation.WRITE;
        }
        if (operation.startsWith("lock_")) {
            return Operation.LOCK;
        }
        if (operation.startsWith("share_")) {
            return Operation.SHARE;
        }
        return Operation.ADMIN;
    }

    public boolean allows(Caller caller, String workspace, Operation operation) {
        WorkspaceScopes scopes = caller.scopes();
        return scopes.unrestricted() || scopes.allows(workspace, operation) || ownsOrGranted(caller, workspace);
    }

    /** Whether the caller may see the workspace at all (e.g. in list_workspaces). */
    public boolean sees(Caller caller, String workspace) {
        WorkspaceScopes scopes = caller.scopes();
        return scopes.unrestricted() || scopes.covers(workspace) && !scopes.operations().isEmpty()
                || ownsOrGranted(caller, workspace);
    }

    /** A refusal for want of a scope; the audit trail records it as {@code denied}. */
    public static final class Denied extends ToolFailure implements AuditOutcome.Classified {
        Denied(String message) {
            super(message);
        }

        @Override
        public String auditOutcome() {
            return AuditOutcome.DENIED;
        }
    }

    /** @throws Denied naming the missing scope, when the caller may not */
    public void check(Caller caller, String workspace, Operation operation) {
        if (allows(caller, workspace, operation)) {
            return;
        }
        WorkspaceScopes scopes = caller.scopes();
        String who = "This credential (" + caller.principal() + ")";
        String why = !scopes.covers(workspace)
                ? "workspace '" + workspace + "' is outside its scopes (" + scopes.describe() + ")"
                : "its scopes (" + scopes.describe() + ") lack '" + operation.id() + "'";
        throw new Denied(who + " may not " + verb(operation) + " workspace '" + workspace + "': " + why
                + ", and it neither owns the workspace nor holds a grant on it. Missing scope: " + operation.id()
                + ". Ask the hub's administrator for a credential with that scope, or the workspace's owner to "
                + "transfer it.");
    }

    private boolean ownsOrGranted(Caller caller, String workspace) {
        return ownership != null && workspace != null && caller.endpoint() != null
                && ownership.hasFullAccess(caller.principal(), workspace);
    }

    private static String verb(Operation operation) {
        return switch (operation) {
            case READ -> "read in";
            case WRITE -> "write in";
            case LOCK -> "lock files in";
            case SHARE -> "share files of";
            case ADMIN -> "administer";
        };
    }
}
