package dev.caravan.workspace.component;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.tool.CallContext;
import dev.caravan.tool.Caller;
import dev.caravan.tool.EnumIds;
import dev.caravan.tool.Headers;
import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.Workspace;
import dev.caravan.workspace.WorkspaceAccess;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.audit.AuditEvent;
import dev.caravan.workspace.audit.AuditOutcome;
import dev.caravan.workspace.audit.AuditTrail;
import dev.caravan.workspace.lock.LockGuard;
import dev.caravan.workspace.share.ShareTools;
import dev.caravan.workspace.share.Shares;
import dev.caravan.workspace.storage.ByteRange;
import dev.caravan.workspace.storage.FileContent;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.Listing;
import dev.caravan.workspace.storage.PathTypeException;
import dev.caravan.workspace.storage.Precondition;
import dev.caravan.workspace.storage.StorageException;
import dev.caravan.workspace.storage.StorageFailureException;
import dev.caravan.workspace.storage.WalkOptions;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.storage.WriteOptions;
import dev.caravan.workspace.versions.FileVersion;
import dev.caravan.workspace.versions.VersionedStorage;
import org.apache.camel.Message;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The file operations behind {@code workspace:NAME?operation=OP}, named as the MCP tools that use them. Each reads
 * its arguments from headers (the route's declared tool parameters), puts its result in the body, and sets the
 * {@code CaravanWorkspace*} headers where a route may want the details (etag, line counts).
 */
final class FileOperations {
    /** Etag of the file read or written. */
    static final String ETAG = "CaravanWorkspaceEtag";
    /** read_text_file: the line range returned, e.g. "1-10" (empty for an empty file). */
    static final String LINES = "CaravanWorkspaceLines";
    /** read_text_file: lines in the whole file. */
    static final String TOTAL_LINES = "CaravanWorkspaceTotalLines";
    /** A one-sentence account of what was read, for a second result item. */
    static final String SUMMARY = "CaravanWorkspaceSummary";
    /** Bytes a write stored (write_file, edit_file, restore_version); for the audit trail. */
    static final String BYTES = "CaravanWorkspaceBytes";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FileOperations.class);
    private static final Map<String, String> MEDIA = Map.ofEntries(
            Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"), Map.entry("bmp", "image/bmp"),
            Map.entry("svg", "image/svg+xml"), Map.entry("ico", "image/x-icon"), Map.entry("tif", "image/tiff"),
            Map.entry("tiff", "image/tiff"), Map.entry("mp3", "audio/mpeg"), Map.entry("wav", "audio/wav"),
            Map.entry("ogg", "audio/ogg"), Map.entry("oga", "audio/ogg"), Map.entry("flac", "audio/flac"),
            Map.entry("m4a", "audio/mp4"), Map.entry("aac", "audio/aac"), Map.entry("opus", "audio/opus"),
            Map.entry("weba", "audio/webm"), Map.entry("pdf", "application/pdf"));

    /** Caps that keep one call from filling the heap or running for ever. */
    record Limits(long maxReadBytes, int maxEntries, Duration walkTimeLimit) {
    }

    private final Workspaces workspaces;
    private final Limits limits;
    private final LockGuard guard;
    private final LockOperations lockOperations;
    private final AuditOperations auditOperations;
    private final AuditTrail audit;
    private final WorkspaceAccess access;
    private final ShareTools shares;

    /** Parts of {@code services} that are null (no database, e.g. in tests) leave their operations unavailable. */
    FileOperations(Workspaces workspaces, Limits limits, WorkspaceServices services) {
        this.workspaces = workspaces;
        this.limits = limits;
        this.guard = services.locks() == null ? LockGuard.NONE : services.locks();
        this.lockOperations = new LockOperations(services.locks());
        this.auditOperations = new AuditOperations(services.audit(), services.auditMaxResults());
        this.audit = services.audit();
        this.access = services.access();
        this.shares = services.shares();
    }

    enum Operation {
        LIST_WORKSPACES, READ_TEXT_FILE, READ_MEDIA_FILE, READ_MULTIPLE_FILES, WRITE_FILE, EDIT_FILE,
        CREATE_DIRECTORY, LIST_DIRECTORY, LIST_DIRECTORY_WITH_SIZES, DIRECTORY_TREE, MOVE_FILE, COPY_FILE,
        DELETE_FILE, SEARCH_FILES, GREP_FILES, GET_FILE_INFO, LIST_VERSIONS, RESTORE_VERSION,
        LOCK_ACQUIRE, LOCK_STATUS, LOCK_RENEW, LOCK_RELEASE, AUDIT_SEARCH, SHARE_CREATE, SHARE_LIST, SHARE_REVOKE;

        static Operation of(String name) {
            return EnumIds.of(Operation.class, name);
        }

        String id() {
            return EnumIds.id(this);
        }
    }

    /**
     * Runs one operation; every storage failure becomes a {@link ToolFailure} with its (agent-safe) message. Every
     * operation but audit_search is recorded in the audit trail, failed ones with their outcome class.
     */
    void run(Operation op, String workspaceName, Message message) {
        long started = System.nanoTime();
        Caller caller = caller(message);
        String outcome = AuditOutcome.OK;
        String detail = null;
        try {
            // Whatever tools the caller sees, a route may call any operation: check here, where refusals are audited.
            access.check(caller, workspaceName, WorkspaceAccess.scopeOf(op.id()));
            perform(op, workspaceName, message, caller);
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
            if (audit != null && op != Operation.AUDIT_SEARCH) {
                audit.record(auditEvent(op, workspaceName, message, caller, outcome, detail, started));
            }
        }
    }

    private ShareTools shares() {
        if (shares == null) {
            throw new ToolFailure("Share links are not available here.");
        }
        return shares;
    }

    /** The base URL the calling MCP client used, for share links when caravan.public-base-url is not set. */
    private static String requestBaseUrl(Message message) {
        CallContext context = message.getExchange().getProperty(CallContext.PROPERTY, CallContext.class);
        if (context == null || context.client() == null || context.client().transportContext() == null) {
            return null;
        }
        Object base = context.client().transportContext().get(CallContext.REQUEST_BASE_URL);
        return base == null ? null : base.toString();
    }

    private static Caller caller(Message message) {
        CallContext context = message.getExchange() == null ? null
                : message.getExchange().getProperty(CallContext.PROPERTY, CallContext.class);
        return context == null ? Caller.NONE : context.caller();
    }

    private AuditEvent auditEvent(Operation op, String workspaceName, Message message, Caller caller, String outcome,
                                  String detail, long started) {
        boolean transfer = op == Operation.MOVE_FILE || op == Operation.COPY_FILE;
        Object lockPath = message.getHeader(LockOperations.LOCK_PATH);
        String path = lockPath != null ? lockPath.toString() : auditPath(message.getHeader(transfer ? "source"
                : op == Operation.READ_MULTIPLE_FILES ? "paths" : "path"));
        String destination = transfer ? auditPath(message.getHeader("destination")) : null;
        long bytes = 0;
        if (AuditOutcome.OK.equals(outcome)) {
            Object written = message.getHeader(BYTES);
            if (written instanceof Number n) {
                bytes = n.longValue();
            } else if (op == Operation.READ_TEXT_FILE || op == Operation.READ_MEDIA_FILE
                    || op == Operation.READ_MULTIPLE_FILES) {
                Object body = message.getBody();
                bytes = body instanceof byte[] b ? b.length
                        : body instanceof String t ? t.getBytes(StandardCharsets.UTF_8).length : 0;
            }
        }
        return AuditEvent.of(java.time.Instant.now(), caller.principal(), caller.endpoint(),
                workspaceName, op.id(), path, destination, outcome, detail,
                bytes, (System.nanoTime() - started) / 1_000_000);
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

    /** The paths a mutation changes, which must not be under someone else's lock; none for reads. */
    private static List<WorkspacePath> changedPaths(Operation op, Args args) {
        return switch (op) {
            case WRITE_FILE, CREATE_DIRECTORY, DELETE_FILE, RESTORE_VERSION -> List.of(path(args, "path", false));
            case EDIT_FILE -> args.bool("dryRun") ? List.of() : List.of(path(args, "path", false));
            case MOVE_FILE -> List.of(path(args, "source", false), path(args, "destination", false));
            case COPY_FILE -> List.of(path(args, "destination", false));
            default -> List.of();
        };
    }

    private void perform(Operation op, String workspaceName, Message message, Caller caller) {
        Args args = new Args(message);
        if (op == Operation.AUDIT_SEARCH) {
            message.setBody(auditOperations.search(args));
            return;
        }
        Workspace ws = workspaces.get(workspaceName);
        VersionedStorage s = ws.storage();
        List<WorkspacePath> changed = changedPaths(op, args);
        Object body = changed.isEmpty() ? operation(op, ws, s, args, message, caller)
                : guard.guarded(ws.name(), changed, args.strings("lockToken"),
                () -> operation(op, ws, s, args, message, caller));
        message.setBody(body);
    }

    private Object operation(Operation op, Workspace ws, VersionedStorage s, Args args, Message message,
                             Caller caller) {
        return switch (op) {
            case READ_TEXT_FILE -> readText(s, args, message);
            case READ_MEDIA_FILE -> readMedia(s, args, message);
            case READ_MULTIPLE_FILES -> readMultiple(s, args);
            case WRITE_FILE -> write(s, args, message);
            case EDIT_FILE -> edit(s, args, message);
            case CREATE_DIRECTORY -> createDirectory(s, args);
            case LIST_DIRECTORY -> list(s, args, false);
            case LIST_DIRECTORY_WITH_SIZES -> list(s, args, true);
            case DIRECTORY_TREE -> tree(s, args);
            case MOVE_FILE -> transfer(s, args, true);
            case COPY_FILE -> transfer(s, args, false);
            case DELETE_FILE -> delete(s, args);
            case SEARCH_FILES -> search(s, args);
            case GREP_FILES -> grep(s, args);
            case GET_FILE_INFO -> info(s, args, message);
            case LIST_VERSIONS -> versions(s, args);
            case RESTORE_VERSION -> restore(s, args, message);
            case LOCK_ACQUIRE -> lockOperations.acquire(ws, args, caller, message);
            case LOCK_STATUS -> lockOperations.status(ws, args);
            case LOCK_RENEW -> lockOperations.renew(ws, args, message);
            case LOCK_RELEASE -> lockOperations.release(ws, args, message);
            case SHARE_CREATE -> shares().create(new Shares.Request(ws.name(), args.path("path", true),
                    args.string("permission"), args.string("expiresIn"), args.string("password"),
                    args.integer("maxUses", 1, Integer.MAX_VALUE), caller.endpoint() == null ? null : caller.principal()),
                    requestBaseUrl(message));
            case SHARE_LIST -> shares().list(ws.name());
            case SHARE_REVOKE -> shares().revoke(ws.name(), args.required("shareId"));
            case LIST_WORKSPACES, AUDIT_SEARCH -> throw new IllegalStateException();
        };
    }

    private static WorkspacePath path(Args args, String name, boolean rootByDefault) {
        return WorkspacePath.of(args.path(name, rootByDefault));
    }

    private static String show(WorkspacePath p) {
        return p.isRoot() ? "the workspace root" : "'" + p + "'";
    }

    // ---- reading

    private Object readText(VersionedStorage s, Args args, Message message) {
        WorkspacePath p = path(args, "path", false);
        Integer head = args.integer("head", 0, Integer.MAX_VALUE);
        Integer tail = args.integer("tail", 0, Integer.MAX_VALUE);
        Integer offset = args.integer("offset", 1, Integer.MAX_VALUE);
        Integer limit = args.integer("limit", 0, Integer.MAX_VALUE);
        if (head != null && tail != null) {
            throw new ToolFailure("Give head or tail, not both.");
        }
        if ((head != null || tail != null) && (offset != null || limit != null)) {
            throw new ToolFailure("Give head or tail, or offset and limit, not both kinds.");
        }
        int from = offset != null ? offset : 1;
        int max = head != null ? head : limit != null ? limit : Integer.MAX_VALUE;
        Deque<String> kept = new ArrayDeque<>();
        long keptChars = 0;
        int total = 0;
        int firstKept = 0;
        FileInfo info;
        try (FileContent content = s.read(p, ByteRange.ALL)) {
            info = content.info();
            InputStream in = content.stream();
            BufferedReader reader = textReader(in, p);
            String line;
            while ((line = reader.readLine()) != null) {
                total++;
                if (tail != null) {
                    kept.addLast(line);
                    keptChars += line.length() + 1;
                    while (kept.size() > tail || keptChars > limits.maxReadBytes() && !kept.isEmpty()) {
                        keptChars -= kept.removeFirst().length() + 1;
                    }
                } else if (total >= from && kept.size() < max) {
                    if (kept.isEmpty()) {
                        firstKept = total;
                    }
                    keptChars += line.length() + 1;
                    if (keptChars > limits.maxReadBytes()) {
                        throw new ToolFailure("File " + show(p) + " is too large to return at once (over "
                                + limits.maxReadBytes() / 1024 + " KiB of text); read it in parts with offset and "
                                + "limit, or head / tail.");
                    }
                    kept.addLast(line);
                }
            }
        } catch (IOException e) {
            throw new ToolFailure("File " + show(p) + " could not be read completely; try again.");
        }
        if (tail != null) {
            firstKept = total - kept.size() + 1;
        }
        String lines = kept.isEmpty() ? "" : firstKept + "-" + (firstKept + kept.size() - 1);
        message.setHeader(ETAG, info.etag());
        message.setHeader(LINES, lines);
        message.setHeader(TOTAL_LINES, total);
        message.setHeader(SUMMARY, "[" + p + ": " + (kept.isEmpty() ? "no lines" : "lines " + lines) + " of " + total
                + ", " + info.size() + " bytes, etag " + info.etag() + "]");
        return String.join("\n", kept);
    }

    /** A strict UTF-8 reader over the stream; binary content is refused with a pointer to read_media_file. */
    private static BufferedReader textReader(InputStream in, WorkspacePath p) throws IOException {
        java.io.BufferedInputStream buffered = new java.io.BufferedInputStream(in, 64 * 1024);
        buffered.mark(8192);
        byte[] probe = buffered.readNBytes(8192);
        buffered.reset();
        for (byte b : probe) {
            if (b == 0) {
                throw new ToolFailure("File " + show(p) + " looks binary; use read_media_file for images and audio.");
            }
        }
        return new BufferedReader(new InputStreamReader(buffered, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)));
    }

    /** A NUL byte in the first 8 KiB: what git and grep take for binary content. */
    private static boolean binary(byte[] data) {
        for (int i = 0; i < Math.min(data.length, 8192); i++) {
            if (data[i] == 0) {
                return true;
            }
        }
        return false;
    }

    private byte[] readAll(VersionedStorage s, WorkspacePath p) {
        FileInfo info = s.stat(p);
        if (info.isDirectory()) {
            throw new PathTypeException(show(p) + " is a directory, not a file; list it to see its files.");
        }
        if (info.size() > limits.maxReadBytes()) {
            throw new ToolFailure("File " + show(p) + " (" + info.size() + " bytes) is larger than a tool result may "
                    + "carry (" + limits.maxReadBytes() + " bytes); read a text file in parts with offset and limit.");
        }
        try (FileContent content = s.read(p, ByteRange.ALL)) {
            return content.stream().readNBytes((int) Math.min(limits.maxReadBytes(), Integer.MAX_VALUE - 16));
        } catch (IOException e) {
            throw new ToolFailure("File " + show(p) + " could not be read completely; try again.");
        }
    }

    private Object readMedia(VersionedStorage s, Args args, Message message) {
        WorkspacePath p = path(args, "path", false);
        String name = p.name();
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        String mime = MEDIA.getOrDefault(ext, "application/octet-stream");
        byte[] data = readAll(s, p);
        message.setHeader(Headers.MIME_TYPE, mime);
        return data;
    }

    private Object readMultiple(VersionedStorage s, Args args) {
        List<String> paths = args.strings("paths");
        if (paths.isEmpty()) {
            throw new ToolFailure("Argument 'paths' must list at least one file path.");
        }
        if (paths.size() > 100) {
            throw new ToolFailure("Read at most 100 files at once.");
        }
        StringBuilder b = new StringBuilder();
        long budget = limits.maxReadBytes();
        for (String raw : paths) {
            if (b.length() > 0) {
                b.append("\n---\n");
            }
            try {
                WorkspacePath p = WorkspacePath.of(raw);
                byte[] data = readAll(s, p);
                if (data.length > budget) {
                    b.append(raw).append(": Error - skipped: the files so far fill this result; read it separately.");
                    continue;
                }
                budget -= data.length;
                if (binary(data)) {
                    b.append(p).append(": Error - the file looks binary; use read_media_file for images and audio.");
                    continue;
                }
                b.append(p).append(":\n").append(new String(data, StandardCharsets.UTF_8));
            } catch (StorageException | ToolFailure e) {
                b.append(raw).append(": Error - ").append(e.getMessage());
            }
        }
        return b.toString();
    }

    // ---- writing

    private Object write(VersionedStorage s, Args args, Message message) {
        WorkspacePath p = path(args, "path", false);
        String content = args.string("content");
        if (content == null) {
            throw new ToolFailure("Argument 'content' is required (use \"\" for an empty file).");
        }
        String encoding = args.string("encoding");
        byte[] bytes;
        if (encoding == null || encoding.equalsIgnoreCase("text") || encoding.equalsIgnoreCase("utf-8")) {
            bytes = content.getBytes(StandardCharsets.UTF_8);
        } else if (encoding.equalsIgnoreCase("base64")) {
            try {
                bytes = Base64.getMimeDecoder().decode(content);
            } catch (IllegalArgumentException e) {
                throw new ToolFailure("Argument 'content' is not valid base64; nothing was written.");
            }
        } else {
            throw new ToolFailure("Argument 'encoding' must be text or base64, got '" + encoding + "'.");
        }
        boolean existed = s.find(p).map(FileInfo::isFile).orElse(false);
        FileInfo written = s.write(p, new ByteArrayInputStream(bytes), options(args).withSize(bytes.length));
        message.setHeader(ETAG, written.etag());
        message.setHeader(BYTES, bytes.length);
        return "Wrote " + show(p) + " (" + bytes.length + " bytes, etag " + written.etag() + ")."
                + (existed && s.keep() > 0 ? " The previous content is kept as a version (see list_versions)." : "");
    }

    private static WriteOptions options(Args args) {
        String ifMatch = args.string("ifMatch");
        boolean createOnly = args.bool("createOnly");
        if (ifMatch != null && !ifMatch.isBlank() && createOnly) {
            throw new ToolFailure("Give ifMatch or createOnly, not both.");
        }
        if (createOnly) {
            return WriteOptions.createOnly();
        }
        return ifMatch != null && !ifMatch.isBlank() ? WriteOptions.ifMatch(ifMatch) : WriteOptions.overwrite();
    }

    private Object edit(VersionedStorage s, Args args, Message message) {
        WorkspacePath p = path(args, "path", false);
        List<TextEdits.Edit> edits = new ArrayList<>();
        for (Map<?, ?> e : args.objects("edits")) {
            Object oldText = e.get("oldText");
            Object newText = e.get("newText");
            if (!(oldText instanceof String o) || !(newText instanceof String n)) {
                throw new ToolFailure("Each edit needs oldText and newText as strings.");
            }
            edits.add(new TextEdits.Edit(o.replace("\r\n", "\n"), n.replace("\r\n", "\n")));
        }
        if (edits.isEmpty()) {
            throw new ToolFailure("Argument 'edits' must list at least one {oldText, newText} edit.");
        }
        boolean dryRun = args.bool("dryRun");
        String ifMatch = args.string("ifMatch");
        FileInfo info = s.stat(p);
        if (ifMatch != null && !ifMatch.isBlank() && info.isFile()
                && !Precondition.etag(ifMatch).etag().equals(info.etag())) {
            throw new ToolFailure("File " + show(p) + " was changed since you read it (etag mismatch); read it again "
                    + "and retry. Nothing was written.");
        }
        String raw;
        String etag;
        try (FileContent content = s.read(p, ByteRange.ALL)) {
            if (content.length() > limits.maxReadBytes()) {
                throw new ToolFailure("File " + show(p) + " is too large to edit here (over " + limits.maxReadBytes()
                        + " bytes); write it in smaller files.");
            }
            etag = content.info().etag();
            byte[] data = content.stream().readAllBytes();
            if (binary(data)) {
                throw new ToolFailure("File " + show(p) + " looks binary; edit_file changes text files only.");
            }
            raw = new String(data, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ToolFailure("File " + show(p) + " could not be read completely; try again.");
        }
        boolean crlf = raw.contains("\r\n");
        String before = crlf ? raw.replace("\r\n", "\n") : raw;
        String after = TextEdits.apply(before, edits, p.toString());
        String diff = TextEdits.diff(before, after, p.toString());
        String shownDiff = diff.isEmpty() ? "(no changes)" : "```diff\n" + diff + "```";
        if (dryRun) {
            message.setHeader(ETAG, etag);
            return "Dry run: nothing was written. These edits would change " + show(p) + ":\n" + shownDiff;
        }
        if (diff.isEmpty()) {
            message.setHeader(ETAG, etag);
            return "The edits leave " + show(p) + " unchanged; nothing was written.";
        }
        byte[] out = (crlf ? after.replace("\n", "\r\n") : after).getBytes(StandardCharsets.UTF_8);
        // Swap only the version just read, so an edit never silently undoes someone else's write.
        FileInfo written = s.write(p, new ByteArrayInputStream(out), WriteOptions.ifMatch(etag).withSize(out.length));
        message.setHeader(ETAG, written.etag());
        message.setHeader(BYTES, out.length);
        return "Edited " + show(p) + " (etag " + written.etag() + ")" + (s.keep() > 0 ? "; the previous content is "
                + "kept as a version" : "") + ":\n" + shownDiff;
    }

    private Object createDirectory(VersionedStorage s, Args args) {
        WorkspacePath p = path(args, "path", false);
        boolean existed = s.find(p).isPresent();
        s.createDirectory(p);
        return existed ? "Directory " + show(p) + " already exists." : "Created directory " + show(p) + ".";
    }

    private Object transfer(VersionedStorage s, Args args, boolean move) {
        WorkspacePath source = path(args, "source", false);
        WorkspacePath destination = path(args, "destination", false);
        boolean overwrite = args.bool("overwrite");
        boolean replaced = overwrite && s.find(destination).map(FileInfo::isFile).orElse(false);
        Precondition target = overwrite ? Precondition.none() : Precondition.absent();
        FileInfo result = move ? s.move(source, destination, target) : s.copy(source, destination, target);
        return (move ? "Moved " : "Copied ") + show(source) + " to " + show(destination)
                + (result.etag() != null ? " (etag " + result.etag() + ")" : "") + "."
                + (replaced && s.keep() > 0 ? " The file it replaced is kept as a version (see list_versions)." : "");
    }

    private Object delete(VersionedStorage s, Args args) {
        WorkspacePath p = path(args, "path", false);
        String ifMatch = args.string("ifMatch");
        boolean file = s.find(p).map(FileInfo::isFile).orElse(false);
        s.delete(p, ifMatch == null || ifMatch.isBlank() ? Precondition.none() : Precondition.etag(ifMatch));
        return "Deleted " + show(p) + "." + (file && s.keep() > 0
                ? " Its last content is kept as a version: list_versions and restore_version bring it back." : "");
    }

    // ---- listing and searching

    private Object list(VersionedStorage s, Args args, boolean sizes) {
        WorkspacePath p = path(args, "path", true);
        Listing listing = s.list(p, limits.maxEntries());
        List<FileInfo> entries = new ArrayList<>(listing.entries());
        if (sizes && "size".equalsIgnoreCase(args.string("sortBy"))) {
            entries.sort(Comparator.comparingLong(FileInfo::size).reversed());
        }
        if (entries.isEmpty()) {
            return show(p).substring(0, 1).toUpperCase() + show(p).substring(1) + " is empty.";
        }
        StringBuilder b = new StringBuilder();
        long total = 0;
        int files = 0;
        for (FileInfo e : entries) {
            b.append(e.isDirectory() ? "[DIR] " : "[FILE] ").append(e.name());
            if (sizes && e.isFile()) {
                b.append("  ").append(human(e.size()));
                total += e.size();
            }
            files += e.isFile() ? 1 : 0;
            b.append('\n');
        }
        if (sizes) {
            b.append("\nTotal: ").append(files).append(" files, ").append(entries.size() - files)
                    .append(" directories\nCombined size: ").append(human(total)).append('\n');
        }
        if (listing.truncated()) {
            b.append("(only the first ").append(limits.maxEntries()).append(" entries are shown)\n");
        }
        return b.toString().stripTrailing();
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    private WalkOptions walkOptions(WorkspacePath base, Args args, String excludeArg) {
        Predicate<String> excluded = Globs.any(args.strings(excludeArg));
        Integer maxDepth = args.integer("maxDepth", 1, 100);
        Integer maxEntries = args.integer("maxEntries", 1, limits.maxEntries());
        WalkOptions options = new WalkOptions(maxEntries == null ? limits.maxEntries() : maxEntries,
                maxDepth == null ? Integer.MAX_VALUE : maxDepth,
                path -> excluded.test(path.relativeTo(base).toString()), limits.walkTimeLimit());
        return options;
    }

    private Object tree(VersionedStorage s, Args args) {
        WorkspacePath base = path(args, "path", true);
        Listing walk = s.walk(base, walkOptions(base, args, "excludePatterns"));
        List<Map<String, Object>> roots = new ArrayList<>();
        Map<WorkspacePath, List<Map<String, Object>>> children = new java.util.HashMap<>();
        children.put(base, roots);
        for (FileInfo e : walk.entries()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("name", e.name());
            node.put("type", e.isDirectory() ? "directory" : "file");
            if (e.isDirectory()) {
                List<Map<String, Object>> kids = new ArrayList<>();
                node.put("children", kids);
                children.put(e.path(), kids);
            }
            List<Map<String, Object>> parent = children.get(e.path().parent());
            if (parent != null) {
                parent.add(node);
            }
        }
        try {
            String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(roots);
            return walk.truncated() ? json + "\n(The tree was cut at " + walk.entries().size() + " entries or "
                    + limits.walkTimeLimit().toSeconds() + " s; narrow it with path, maxDepth or excludePatterns.)"
                    : json;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Object search(VersionedStorage s, Args args) {
        WorkspacePath base = path(args, "path", true);
        Predicate<String> pattern = Globs.nameOrPath(args.required("pattern"));
        WalkOptions options = walkOptions(base, args, "excludePatterns");
        // Walk wider than the result cap: most entries will not match.
        Listing walk = s.walk(base, new WalkOptions(Math.max(options.maxEntries(), 100_000), options.maxDepth(),
                options.exclude(), options.timeLimit()));
        List<String> found = new ArrayList<>();
        for (FileInfo e : walk.entries()) {
            if (pattern.test(e.path().relativeTo(base).toString())) {
                found.add(e.path() + (e.isDirectory() ? "/" : ""));
                if (found.size() >= options.maxEntries()) {
                    break;
                }
            }
        }
        boolean cut = walk.truncated() || found.size() >= options.maxEntries();
        if (found.isEmpty()) {
            return "No matches" + (walk.truncated() ? " in the part searched (the search hit its limit; narrow path)."
                    : ".");
        }
        return String.join("\n", found) + (cut ? "\n(results were capped; narrow path or pattern)" : "");
    }

    private Object grep(VersionedStorage s, Args args) {
        WorkspacePath base = path(args, "path", true);
        String query = args.required("query");
        boolean regex = args.bool("regex");
        boolean caseSensitive = args.bool("caseSensitive");
        Integer maxResults = args.integer("maxResults", 1, limits.maxEntries());
        int cap = maxResults == null ? 100 : maxResults;
        Pattern pattern;
        try {
            int flags = caseSensitive ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
            pattern = regex ? Pattern.compile(query, flags) : Pattern.compile(Pattern.quote(query), flags);
        } catch (PatternSyntaxException e) {
            throw new ToolFailure("'" + query + "' is not a valid regular expression: " + e.getDescription() + ".");
        }
        String include = args.string("include");
        Predicate<String> included = include == null || include.isBlank() ? x -> true : Globs.nameOrPath(include);
        long deadline = System.nanoTime() + limits.walkTimeLimit().toNanos();
        WalkOptions options = walkOptions(base, args, "excludePatterns");
        Listing walk = s.walk(base, new WalkOptions(100_000, options.maxDepth(), options.exclude(), limits.walkTimeLimit()));
        List<String> hits = new ArrayList<>();
        boolean cut = walk.truncated();
        outer:
        for (FileInfo e : walk.entries()) {
            if (!e.isFile() || e.size() > limits.maxReadBytes() || !included.test(e.path().relativeTo(base).toString())) {
                continue;
            }
            if (System.nanoTime() > deadline) {
                cut = true;
                break;
            }
            try (FileContent content = s.read(e.path(), ByteRange.ALL)) {
                BufferedReader reader = textReader(content.stream(), e.path());
                String line;
                int n = 0;
                while ((line = reader.readLine()) != null) {
                    n++;
                    if (pattern.matcher(line).find()) {
                        String shown = line.strip();
                        hits.add(e.path() + ":" + n + ": " + (shown.length() > 300 ? shown.substring(0, 300) + "..." : shown));
                        if (hits.size() >= cap) {
                            cut = true;
                            break outer;
                        }
                    }
                }
            } catch (ToolFailure | StorageException | IOException skipped) {
                // binary, vanished or unreadable: not a match
            }
        }
        if (hits.isEmpty()) {
            return "No matches for '" + query + "'" + (cut ? " in the part searched (the search hit its limit)." : ".");
        }
        return String.join("\n", hits) + (cut ? "\n(results were capped at " + hits.size() + "; narrow path, include "
                + "or query)" : "");
    }

    private Object info(VersionedStorage s, Args args, Message message) {
        WorkspacePath p = path(args, "path", true);
        FileInfo info = s.stat(p);
        StringBuilder b = new StringBuilder();
        b.append("path: ").append(p.isRoot() ? "/" : p.toString()).append('\n');
        b.append("type: ").append(info.isDirectory() ? "directory" : "file").append('\n');
        if (info.isFile()) {
            b.append("size: ").append(info.size()).append(" bytes (").append(human(info.size())).append(")\n");
        }
        if (info.modified() != null) {
            b.append("modified: ").append(info.modified()).append('\n');
        }
        if (info.etag() != null) {
            b.append("etag: ").append(info.etag()).append('\n');
            message.setHeader(ETAG, info.etag());
        }
        if (info.isFile()) {
            b.append("versions kept: ").append(s.versions(p).size()).append('\n');
        }
        return b.toString().stripTrailing();
    }

    // ---- versions

    private Object versions(VersionedStorage s, Args args) {
        WorkspacePath p = path(args, "path", false);
        List<FileVersion> versions = s.versions(p);
        if (versions.isEmpty()) {
            return "No earlier versions of " + show(p) + " are kept" + (s.keep() == 0
                    ? " (this workspace keeps none)." : "; one is kept each time it is overwritten or deleted.");
        }
        StringBuilder b = new StringBuilder("Earlier versions of " + show(p) + ", newest first (restore one with "
                + "restore_version):\n");
        for (FileVersion v : versions) {
            b.append(v.id()).append("  saved ").append(v.saved()).append("  ").append(v.size()).append(" bytes  ")
                    .append("replaced by ").append(v.reason()).append('\n');
        }
        return b.toString().stripTrailing();
    }

    private Object restore(VersionedStorage s, Args args, Message message) {
        WorkspacePath p = path(args, "path", false);
        String id = args.required("versionId").strip();
        boolean existed = s.find(p).map(FileInfo::isFile).orElse(false);
        FileInfo written = s.restore(p, id);
        message.setHeader(ETAG, written.etag());
        message.setHeader(BYTES, written.size());
        return "Restored " + show(p) + " from version " + id + " (" + written.size() + " bytes, etag "
                + written.etag() + ")." + (existed ? " The content it replaced is kept as a version." : "");
    }
}
