package dev.caravan.workspace.component;

import dev.caravan.workspace.Ownership;
import dev.caravan.workspace.RuntimeWorkspaces;
import dev.caravan.workspace.UnattendedAccess;
import dev.caravan.workspace.WorkspaceAccess;
import dev.caravan.workspace.audit.AuditTrail;
import dev.caravan.workspace.lock.LockService;
import dev.caravan.workspace.share.ShareTools;

/**
 * What the workspace component works with beside the workspaces themselves. All but {@code access} live in the
 * database; where there is none (component tests), they are null and their operations say they are unavailable.
 *
 * @param access          who may do what ({@link WorkspaceAccess#SCOPES_ONLY} without ownership)
 * @param ownership       owners and grants (workspace_transfer, workspace_claim)
 * @param runtime         workspaces created while running (workspace_create)
 * @param shares          share links (share_create, share_list, share_revoke)
 * @param locks           locks (lock_*; mutations on locked paths need the lock's token)
 * @param audit           the audit trail every operation is recorded in (audit_search)
 * @param auditMaxResults the most records one audit_search returns
 * @param unattended      what routes run outside an MCP call (timers) may do
 */
public record WorkspaceServices(WorkspaceAccess access, Ownership ownership, RuntimeWorkspaces runtime,
                                ShareTools shares, LockService locks, AuditTrail audit, int auditMaxResults,
                                UnattendedAccess unattended) {
    public static final WorkspaceServices NONE =
            new WorkspaceServices(WorkspaceAccess.SCOPES_ONLY, null, null, null, null, null, 0, UnattendedAccess.DEFAULT);
}
