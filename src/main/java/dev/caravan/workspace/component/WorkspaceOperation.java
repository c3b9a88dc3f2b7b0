package dev.caravan.workspace.component;

import dev.caravan.core.EnumIds;
import dev.caravan.core.WorkspaceScopes.Operation;
import dev.caravan.workspace.WorkspaceAccess;
import dev.caravan.workspace.storage.WorkspacePath;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The file, lock, share and audit operations behind {@code workspace:NAME?operation=OP}, each declaring what the
 * pipeline in {@link FileOperations#run} needs to know about it: the scope a caller must hold, the paths it
 * changes (which must not be under someone else's lock), what the audit trail records, and the family class that
 * holds its body. Nothing elsewhere lists operation names: an operation added here is checked, guarded and
 * audited by its declaration, and the route loader refuses a tool whose scope tag is lower than its steps need.
 */
enum WorkspaceOperation {
    READ_TEXT_FILE(Operation.READ, Changes.NONE, Audit.READ, f -> c -> f.read().text(c.storage(), c.args(), c.message())),
    READ_MEDIA_FILE(Operation.READ, Changes.NONE, Audit.READ, f -> c -> f.read().media(c.storage(), c.args(), c.message())),
    READ_MULTIPLE_FILES(Operation.READ, Changes.NONE, Audit.READ_PATHS, f -> c -> f.read().multiple(c.storage(), c.args())),
    GET_FILE_INFO(Operation.READ, Changes.NONE, Audit.PATH, f -> c -> f.read().info(c.storage(), c.args(), c.message(),
            f.access().allows(c.caller(), c.workspace().name(), Operation.WRITE))),
    WRITE_FILE(Operation.WRITE, Changes.of("path"), Audit.PATH, f -> c -> f.write().write(c.storage(), c.args(), c.message())),
    // A dry run changes nothing, so it needs no lock token.
    EDIT_FILE(Operation.WRITE, Changes.unlessDryRun("path"), Audit.PATH, f -> c -> f.write().edit(c.storage(), c.args(), c.message())),
    CREATE_DIRECTORY(Operation.WRITE, Changes.of("path"), Audit.PATH, f -> c -> f.write().createDirectory(c.storage(), c.args())),
    MOVE_FILE(Operation.WRITE, Changes.of("source", "destination"), Audit.TRANSFER, f -> c -> f.write().transfer(c.storage(), c.args(), true)),
    COPY_FILE(Operation.WRITE, Changes.of("destination"), Audit.TRANSFER, f -> c -> f.write().transfer(c.storage(), c.args(), false)),
    DELETE_FILE(Operation.WRITE, Changes.of("path"), Audit.PATH, f -> c -> f.write().delete(c.storage(), c.args())),
    LIST_DIRECTORY(Operation.READ, Changes.NONE, Audit.PATH, f -> c -> f.search().list(c.storage(), c.args(), false)),
    LIST_DIRECTORY_WITH_SIZES(Operation.READ, Changes.NONE, Audit.PATH, f -> c -> f.search().list(c.storage(), c.args(), true)),
    DIRECTORY_TREE(Operation.READ, Changes.NONE, Audit.PATH, f -> c -> f.search().tree(c.storage(), c.args())),
    SEARCH_FILES(Operation.READ, Changes.NONE, Audit.PATH, f -> c -> f.search().search(c.storage(), c.args())),
    GREP_FILES(Operation.READ, Changes.NONE, Audit.PATH, f -> c -> f.search().grep(c.storage(), c.args())),
    LIST_VERSIONS(Operation.READ, Changes.NONE, Audit.PATH, f -> c -> f.versions().versions(c.storage(), c.args())),
    RESTORE_VERSION(Operation.WRITE, Changes.of("path"), Audit.PATH, f -> c -> f.versions().restore(c.storage(), c.args(), c.message())),
    LOCK_ACQUIRE(Operation.LOCK, Changes.NONE, Audit.PATH, f -> c -> f.locks().acquire(c.workspace(), c.args(), c.caller(), c.message())),
    LOCK_STATUS(Operation.LOCK, Changes.NONE, Audit.PATH, f -> c -> f.locks().status(c.workspace(), c.args())),
    LOCK_RENEW(Operation.LOCK, Changes.NONE, Audit.PATH, f -> c -> f.locks().renew(c.workspace(), c.args(), c.message())),
    LOCK_RELEASE(Operation.LOCK, Changes.NONE, Audit.PATH, f -> c -> f.locks().release(c.workspace(), c.args(), c.message())),
    SHARE_CREATE(Operation.SHARE, Changes.NONE, Audit.PATH, f -> f.shares()::create),
    SHARE_LIST(Operation.SHARE, Changes.NONE, Audit.PATH, f -> f.shares()::list),
    SHARE_REVOKE(Operation.SHARE, Changes.NONE, Audit.PATH, f -> f.shares()::revoke),
    // Reading the trail is not itself recorded: searching it would otherwise fill it.
    AUDIT_SEARCH(Operation.ADMIN, Changes.NONE, Audit.NOT_RECORDED, f -> c -> f.audit().search(c.args()));

    /** An operation's body: reads its arguments, sets detail headers, returns the result body. */
    @FunctionalInterface
    interface Body {
        Object run(OperationCall call);
    }

    /** The classes that hold the bodies, one per family, and the access check (get_file_info's permissions). */
    record Families(ReadOperations read, WriteOperations write, SearchOperations search, VersionOperations versions,
                    LockOperations locks, ShareOperations shares, AuditOperations audit,
                    WorkspaceAccess access) {
    }

    /** The paths an operation changes, from its arguments; none for reads. */
    @FunctionalInterface
    interface Changes {
        Changes NONE = args -> List.of();

        List<WorkspacePath> of(Args args);

        static Changes of(String... pathArguments) {
            return args -> Arrays.stream(pathArguments).map(a -> FileTexts.path(args, a, false)).toList();
        }

        static Changes unlessDryRun(String... pathArguments) {
            Changes changes = of(pathArguments);
            return args -> args.bool("dryRun") ? List.of() : changes.of(args);
        }
    }

    /**
     * What the audit trail records: the path argument (lock operations record the locked path they set instead),
     * the destination argument of a transfer, and whether the bytes returned count (reads) beside the bytes written.
     */
    record Audit(boolean recorded, String pathArgument, String destinationArgument, boolean countsBody) {
        static final Audit PATH = new Audit(true, "path", null, false);
        static final Audit READ = new Audit(true, "path", null, true);
        static final Audit READ_PATHS = new Audit(true, "paths", null, true);
        static final Audit TRANSFER = new Audit(true, "source", "destination", false);
        static final Audit NOT_RECORDED = new Audit(false, null, null, false);
    }

    private final Operation scope;
    private final Changes changes;
    private final Audit audit;
    private final Function<Families, Body> body;

    WorkspaceOperation(Operation scope, Changes changes, Audit audit, Function<Families, Body> body) {
        this.scope = scope;
        this.changes = changes;
        this.audit = audit;
        this.body = body;
    }

    static WorkspaceOperation of(String name) {
        return EnumIds.of(WorkspaceOperation.class, name);
    }

    String id() {
        return EnumIds.id(this);
    }

    /** The scope a caller needs (unless it owns the workspace or holds a grant on it). */
    Operation scope() {
        return scope;
    }

    /** Whether the operation may change files, and so passes the lock guard. */
    boolean writes() {
        return changes != Changes.NONE;
    }

    List<WorkspacePath> changedPaths(Args args) {
        return changes.of(args);
    }

    Audit audit() {
        return audit;
    }

    Body body(Families families) {
        return body.apply(families);
    }
}
