package dev.caravan.workspace;

import dev.caravan.core.Caller;
import dev.caravan.tool.ToolFailure;
import dev.caravan.core.WorkspaceScopes;
import dev.caravan.core.WorkspaceScopes.Operation;
import dev.caravan.workspace.audit.AuditOutcome;

/**
 * The one place that decides whether a caller may do an operation on a workspace. A caller may when
 * <ol>
 * <li>its credential's scopes are unrestricted (the default), or</li>
 * <li>its scopes cover the workspace (name or glob) and hold the operation, or</li>
 * <li>it owns the workspace, or holds a grant on it (e.g. a previous owner who kept access): owners may do every
 * operation on their workspace whatever their scopes say, through the tools their endpoint publishes.</li>
 * </ol>
 * The workspace component asks before every operation, with the scope the operation declares (defence in depth: a
 * route may call any operation, whatever tools the credential sees); the file HTTP API and shares should ask the
 * same. A route with no MCP call behind it (a timer) asks as the caller configured for unattended routes.
 */
public class WorkspaceAccess {
    /** Scopes only, no ownership: for a component used without the database (tests). */
    public static final WorkspaceAccess SCOPES_ONLY = new WorkspaceAccess(null);

    private final Ownership ownership;

    public WorkspaceAccess(Ownership ownership) {
        this.ownership = ownership;
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
        if (caller.endpoint() == null) {
            // No MCP call: a timer route or the like, acting with the access configured for unattended routes.
            throw new Denied("This route runs outside an MCP call and may not " + verb(operation) + " workspace '"
                    + workspace + "': routes without a caller may do " + scopes.describe() + ". Missing scope: "
                    + operation.id() + ". Set caravan.workspace.unattended.operations and "
                    + "caravan.workspace.unattended.workspaces to allow it.");
        }
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
