package dev.caravan.workspace.component;

import dev.caravan.core.Caller;
import dev.caravan.core.EnumIds;
import dev.caravan.tool.ToolFailure;
import dev.caravan.core.WorkspaceScopes;
import dev.caravan.workspace.Ownership;
import dev.caravan.workspace.RuntimeWorkspaces;
import dev.caravan.workspace.Workspace;
import dev.caravan.workspace.WorkspaceAccess;
import dev.caravan.workspace.WorkspaceConfig;
import dev.caravan.workspace.Workspaces;
import org.apache.camel.Message;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The workspace operations about workspaces rather than files: {@code list_workspaces} (only those the caller may
 * use, with their owners), {@code workspace_create}, {@code workspace_transfer} and {@code workspace_claim}.
 * Ownership needs the database; without it (a component built for tests) only list_workspaces works.
 */
final class WorkspaceAdminOperations {
    enum Operation {
        /** Lists only what the caller may see, so it needs no workspace and refuses no one. */
        LIST_WORKSPACES(WorkspaceScopes.Operation.READ, false),
        /** The reference filesystem server's roots: each workspace the caller may use is a root "/". */
        LIST_ALLOWED_DIRECTORIES(WorkspaceScopes.Operation.READ, false),
        /** RuntimeWorkspaces checks the write scope: there is no workspace yet to own. */
        WORKSPACE_CREATE(WorkspaceScopes.Operation.WRITE, false),
        /** Admin scope, or ownership or a grant on the workspace. */
        WORKSPACE_TRANSFER(WorkspaceScopes.Operation.ADMIN, true),
        /** The claim token is the permission. */
        WORKSPACE_CLAIM(null, false);

        private final WorkspaceScopes.Operation scope;
        private final boolean namesWorkspace;

        Operation(WorkspaceScopes.Operation scope, boolean namesWorkspace) {
            this.scope = scope;
            this.namesWorkspace = namesWorkspace;
        }

        /** The scope a tool calling this needs to carry as its tag; null when none. */
        WorkspaceScopes.Operation scope() {
            return scope;
        }

        /** Whether the endpoint must name a workspace ({@code workspace:NAME?operation=...}). */
        boolean namesWorkspace() {
            return namesWorkspace;
        }

        static Operation of(String name) {
            return EnumIds.of(Operation.class, name);
        }

        String id() {
            return EnumIds.id(this);
        }
    }

    private final Workspaces workspaces;
    private final WorkspaceAccess access;
    private final Ownership ownership;
    private final RuntimeWorkspaces runtime;

    WorkspaceAdminOperations(Workspaces workspaces, WorkspaceAccess access, Ownership ownership,
                             RuntimeWorkspaces runtime) {
        this.workspaces = workspaces;
        this.access = access;
        this.ownership = ownership;
        this.runtime = runtime;
    }

    void run(Operation op, String workspace, Caller caller, Message message) {
        if (op == Operation.LIST_WORKSPACES) {
            message.setBody(listWorkspaces(caller));
            return;
        }
        if (op == Operation.LIST_ALLOWED_DIRECTORIES) {
            message.setBody(allowedDirectories(caller, message));
            return;
        }
        if (ownership == null || runtime == null) {
            throw new ToolFailure(op.id() + " is not available on this hub.");
        }
        Args args = new Args(message);
        message.setBody(switch (op) {
            case WORKSPACE_CREATE -> create(caller, args);
            case WORKSPACE_TRANSFER -> transfer(caller, workspace, args);
            case WORKSPACE_CLAIM -> claim(caller, args);
            case LIST_WORKSPACES, LIST_ALLOWED_DIRECTORIES -> throw new IllegalStateException("answered above");
        });
    }

    /** The workspaces the caller may use, each with backend, versions kept, owner (when known) and description. */
    private String listWorkspaces(Caller caller) {
        Map<String, String> owners = ownership == null ? null : ownership.owners();
        List<Workspace> visible = workspaces.all().stream().filter(w -> access.sees(caller, w.name())).toList();
        if (visible.isEmpty()) {
            return workspaces.all().isEmpty()
                    ? "No workspaces are configured; ask an administrator to declare one in connectors/workspaces.yaml."
                    : "This credential may use none of the workspaces on this hub; ask its administrator for scopes.";
        }
        StringBuilder b = new StringBuilder();
        for (Workspace w : visible) {
            b.append(w.name()).append(" (").append(w.backend()).append(", keeps ").append(w.storage().keep())
                    .append(" versions per file");
            if (owners != null) {
                b.append(", owner ").append(owners.getOrDefault(w.name(), Ownership.ADMIN));
            }
            b.append(')');
            if (w.config().description() != null) {
                b.append(": ").append(w.config().description());
            }
            b.append('\n');
        }
        return b.toString().stripTrailing();
    }

    /**
     * As the reference server lists its allowed directories, one per line after a heading; here every workspace is
     * its own root, so the root is "/" and the workspaces it can be in go in the summary (a second result block).
     */
    private String allowedDirectories(Caller caller, Message message) {
        List<String> visible = workspaces.all().stream().map(Workspace::name).filter(w -> access.sees(caller, w))
                .toList();
        message.setHeader(FileOperations.SUMMARY, visible.isEmpty()
                ? "[This credential may use no workspace on this hub; ask its administrator for scopes.]"
                : "[\"/\" is the root of each workspace you may use: " + String.join(", ", visible) + ". Name one with "
                + "the workspace argument (default \"default\"); paths are relative to its root, and a leading \"/\" "
                + "means that root. Nothing outside a workspace can be named.]");
        return "Allowed directories:" + (visible.isEmpty() ? "" : "\n/");
    }

    private String create(Caller caller, Args args) {
        WorkspaceConfig created = runtime.createFor(caller, args.required("name"), args.string("description"));
        return "Created workspace '" + created.name() + "' (local), owned by " + (caller.endpoint() == null
                ? Ownership.ADMIN : caller.principal()) + ". Pass workspace \"" + created.name()
                + "\" to the file tools to use it.";
    }

    private String transfer(Caller caller, String workspace, Args args) {
        // Scopes first, so a caller outside them does not learn which workspaces exist.
        access.check(caller, workspace, WorkspaceScopes.Operation.ADMIN);
        workspaces.get(workspace); // names what exists when it does not
        String to = args.string("to");
        boolean keepAccess = args.bool("keepAccess");
        if (args.bool("issueClaimToken")) {
            Integer minutes = args.integer("expiresInMinutes", 1, Integer.MAX_VALUE);
            Duration lifetime = Duration.ofMinutes(minutes == null ? 60 : minutes);
            String token = ownership.issueClaim(workspace, caller, blankToNull(to), lifetime, keepAccess);
            return "Claim token for workspace '" + workspace + "': " + token + "\nIt works once, until "
                    + Instant.now().plus(lifetime).truncatedTo(ChronoUnit.SECONDS)
                    + (to == null || to.isBlank() ? ", for whoever redeems it" : ", only for " + to)
                    + ", with workspace_claim. You stay the owner until then.";
        }
        if (to == null || to.isBlank()) {
            throw new ToolFailure("Name the new owner in 'to' (endpoint/credential, e.g. sales/ci-bot), or set "
                    + "issueClaimToken to get a token the new owner redeems with workspace_claim.");
        }
        return ownership.transfer(workspace, caller, to.strip(), keepAccess);
    }

    private String claim(Caller caller, Args args) {
        String workspace = ownership.claim(args.required("token"), caller);
        return "You (" + caller.principal() + ") now own workspace '" + workspace + "'.";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
