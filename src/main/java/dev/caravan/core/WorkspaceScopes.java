package dev.caravan.core;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What a credential may do with workspaces: which workspaces (names or globs with {@code *} and {@code ?}) and
 * which operations. {@link #ALL} is the default, so a credential without scopes behaves as before scopes existed.
 * <p>
 * Tools declare the operation they need with a tag (the ai-tool options are Camel's, so a tag keeps routes
 * portable): {@code workspace-read}, {@code workspace-write}, {@code workspace-lock}, {@code workspace-share},
 * {@code workspace-admin}. A credential only sees the tools whose scope tags name operations it holds; tools
 * without such a tag are shown to every credential (see {@link #shows}).
 */
public record WorkspaceScopes(List<String> workspaces, Set<Operation> operations) {
    private static final Pattern WORKSPACE_PATTERN = Pattern.compile("[A-Za-z0-9_*?-]{1,40}");
    /** Compiled scope globs; they come from credentials an administrator made, so there are few. */
    private static final Map<String, Pattern> GLOBS = new ConcurrentHashMap<>();

    public enum Operation {
        READ, WRITE, LOCK, SHARE, ADMIN;

        public String id() {
            return EnumIds.id(this);
        }

        /** The tool tag that says a tool needs this operation, e.g. {@code workspace-write}. */
        public String tag() {
            return "workspace-" + id();
        }

        public static Operation of(String id) {
            for (Operation o : values()) {
                if (o.id().equals(id)) {
                    return o;
                }
            }
            return null;
        }
    }

    public static final WorkspaceScopes ALL = new WorkspaceScopes(List.of("*"), EnumSet.allOf(Operation.class));
    /** No workspace, no operation: what a caller nobody authenticated holds. */
    public static final WorkspaceScopes NONE = new WorkspaceScopes(List.of(), Set.of());

    public WorkspaceScopes {
        workspaces = List.copyOf(workspaces);
        operations = Set.copyOf(operations);
    }

    /**
     * Scopes from their written form; null or empty lists mean all.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static WorkspaceScopes parse(List<String> workspaces, List<String> operations) {
        List<String> names = workspaces == null || workspaces.isEmpty() ? List.of("*") : workspaces;
        for (String w : names) {
            if (w == null || !WORKSPACE_PATTERN.matcher(w).matches()) {
                throw new IllegalArgumentException("workspace scope '" + w + "' must be a workspace name or a glob "
                        + "(letters, digits, '-', '_', '*', '?'; at most 40 characters)");
            }
        }
        Set<Operation> ops = EnumSet.noneOf(Operation.class);
        if (operations == null || operations.isEmpty()) {
            ops = EnumSet.allOf(Operation.class);
        } else {
            for (String o : operations) {
                Operation op = o == null ? null : Operation.of(o.strip().toLowerCase(Locale.ROOT));
                if (op == null) {
                    throw new IllegalArgumentException("operation scope '" + o + "' is not one of read, write, lock, "
                            + "share, admin");
                }
                ops.add(op);
            }
        }
        return new WorkspaceScopes(names.stream().distinct().toList(), ops);
    }

    /** True for every workspace and every operation: today's behaviour, and the fast path of every check. */
    public boolean unrestricted() {
        return operations.size() == Operation.values().length && workspaces.contains("*");
    }

    public boolean covers(String workspace) {
        return workspace != null && workspaces.stream().anyMatch(p -> glob(p).matcher(workspace).matches());
    }

    public boolean allows(Operation operation) {
        return operations.contains(operation);
    }

    public boolean allows(String workspace, Operation operation) {
        return allows(operation) && covers(workspace);
    }

    /**
     * Whether a feature with these tags is shown to a holder of {@code operations}: every {@code workspace-OP} tag
     * it carries must name an operation held.
     */
    public static boolean shows(Set<String> tags, Set<Operation> operations) {
        for (String tag : tags) {
            if (tag.startsWith("workspace-")) {
                Operation needed = Operation.of(tag.substring("workspace-".length()));
                if (needed != null && !operations.contains(needed)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The operations in a fixed order, e.g. {@code [read, write]}. */
    public List<String> operationIds() {
        return Arrays.stream(Operation.values()).filter(operations::contains).map(Operation::id).toList();
    }

    /** For messages: e.g. {@code read, write on team-*, notes}. */
    public String describe() {
        return (operations.isEmpty() ? "no operations" : String.join(", ", operationIds())) + " on "
                + (workspaces.isEmpty() ? "no workspace" : String.join(", ", workspaces));
    }

    private static Pattern glob(String pattern) {
        return GLOBS.computeIfAbsent(pattern, Globs::compile);
    }
}
