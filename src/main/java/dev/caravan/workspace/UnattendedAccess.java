package dev.caravan.workspace;

import dev.caravan.core.Caller;
import dev.caravan.core.WorkspaceScopes;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a route may do with workspaces when no MCP call stands behind it: a route started by a timer, a file watcher
 * or any consumer other than {@code ai-tool} ({@code direct:} steps inside a tool call keep that call's caller).
 * Set by {@code caravan.workspace.unattended.operations} (default every operation; {@code none} for none) and
 * {@code caravan.workspace.unattended.workspaces} (names or globs; default: every workspace but those agents created
 * at runtime, i.e. the ones declared in {@code workspaces.yaml}).
 * <p>
 * Why that default: unattended routes are written by the hub's operators, who also declare the workspaces, so they
 * keep full use of those; workspaces that agents created at runtime belong to their owners, and reaching into them
 * from a timer should be a choice an operator writes down ({@code *}), not something every route may do.
 */
public final class UnattendedAccess {
    /** Every operation on the declared workspaces. */
    public static final UnattendedAccess DEFAULT = new UnattendedAccess(null, EnumSet.allOf(WorkspaceScopes.Operation.class));

    /** Names or globs; null for "the declared workspaces", looked up at each call as workspaces.yaml changes. */
    private final List<String> workspaces;
    private final Set<WorkspaceScopes.Operation> operations;

    private UnattendedAccess(List<String> workspaces, Set<WorkspaceScopes.Operation> operations) {
        this.workspaces = workspaces;
        this.operations = Set.copyOf(operations);
    }

    /**
     * From the two settings as written (comma-separated; blank for the default).
     *
     * @throws IllegalArgumentException naming the setting and the bad entry
     */
    public static UnattendedAccess parse(String workspaces, String operations) {
        List<String> names = split(workspaces);
        List<String> ops = split(operations);
        boolean none = ops.size() == 1 && ops.get(0).toLowerCase(Locale.ROOT).equals("none");
        WorkspaceScopes parsed;
        try {
            parsed = WorkspaceScopes.parse(names, none ? null : ops);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("caravan.workspace.unattended." + (e.getMessage().startsWith("workspace")
                    ? "workspaces" : "operations") + ": " + e.getMessage() + (e.getMessage().startsWith("operation")
                    ? " (or none)" : ""), e);
        }
        return new UnattendedAccess(names.isEmpty() ? null : parsed.workspaces(),
                none ? EnumSet.noneOf(WorkspaceScopes.Operation.class) : parsed.operations());
    }

    /**
     * The caller an unattended route acts as, for a call on {@code workspace} (null when it names none): principal
     * "system", the configured scopes. By default those cover every workspace but the ones created at runtime, so a
     * name that does not exist is reported as missing rather than as out of scope.
     */
    public Caller caller(Workspaces all, String workspace) {
        List<String> names = workspaces;
        if (names == null) {
            boolean exists = all.all().stream().anyMatch(w -> w.name().equals(workspace));
            // "*" for a name that does not exist: the lookup then says so, and no glob is kept per unknown name.
            names = workspace != null && !exists ? List.of("*") : all.all().stream().map(Workspace::name)
                    .filter(n -> !all.isStored(n)).toList();
        }
        return new Caller(null, null, new WorkspaceScopes(names, operations));
    }

    private static List<String> split(String value) {
        return value == null || value.isBlank() ? List.of()
                : Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
