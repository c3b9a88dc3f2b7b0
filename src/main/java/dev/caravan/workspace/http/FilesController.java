package dev.caravan.workspace.http;

import dev.caravan.web.ApiException;
import dev.caravan.web.ApiProblem;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.WorkspaceProperties;
import dev.caravan.workspace.lock.LockedException;
import dev.caravan.workspace.Workspace;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.Listing;
import dev.caravan.workspace.storage.Precondition;
import dev.caravan.workspace.storage.StorageException;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.storage.WriteOptions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plain HTTP file API, for people and scripts and for files too large for a JSON-RPC message:
 * {@code GET | HEAD | PUT | DELETE /files/WORKSPACE/PATH}.
 * <ul>
 * <li>GET streams a file (Range, ETag, If-None-Match → 304) or lists a directory as JSON.</li>
 * <li>PUT streams the body into the file, atomically (the old content stays until the new is complete, and is kept
 * as a version); {@code If-Match: ETAG} replaces only that version, {@code If-None-Match: *} only creates (412
 * otherwise). A PUT to a path ending in '/' creates that directory.</li>
 * <li>DELETE removes a file (kept as a version) or an empty directory; honours If-Match.</li>
 * </ul>
 * A Spring MVC controller rather than a platform-http route, because the body must reach the storage as the
 * servlet's own input stream (and leave as its output stream), with nothing in between that reads it whole.
 */
@Controller
public class FilesController {
    public static final String PREFIX = "/files/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Workspaces workspaces;
    private final FileApiAccess access;
    private final WorkspaceWrites writes;
    private final int maxEntries;

    public FilesController(Workspaces workspaces, FileApiAccess access, WorkspaceWrites writes,
                           WorkspaceProperties properties) {
        this.workspaces = workspaces;
        this.access = access;
        this.writes = writes;
        this.maxEntries = Math.max(properties.getMaxEntries(), 10_000);
    }

    private interface Handler {
        void handle() throws IOException;
    }

    /** Storage, lock and registry failures become {@link ApiException}s, answered by {@code ApiProblemAdvice}. */
    private static void answer(Handler handler) throws IOException {
        try {
            handler.handle();
        } catch (ApiException e) {
            if (e.status() == 401) {
                e.withHeader("WWW-Authenticate", "Bearer realm=\"caravan-files\"");
            }
            throw e;
        } catch (StorageException e) {
            throw HttpErrors.of(e, ApiProblem.PRECONDITION_FAILED);
        } catch (LockedException e) {
            throw ApiException.locked(e.getMessage());
        } catch (ToolFailure e) {
            throw ApiException.notFound(e.getMessage());
        }
    }

    /** Who asks, with the lock tokens the request presents in {@code Lock-Token} (comma-separated). */
    private static WorkspaceWrites.Actor actor(HttpServletRequest request, FileApiAccess.Caller caller) {
        String header = request.getHeader("Lock-Token");
        List<String> tokens = header == null ? List.of() : Arrays.stream(header.split(","))
                .map(String::strip).filter(t -> !t.isEmpty()).toList();
        return new WorkspaceWrites.Actor(caller.name(), caller.who() == null ? null : caller.who().endpoint(), tokens);
    }

    private Workspace workspace(HttpServletRequest request, FileApiAccess.Caller caller, FileApiAccess.Right right) {
        String name = RequestPaths.segment(request, 1);
        Workspace ws;
        try {
            ws = workspaces.get(name);
        } catch (ToolFailure e) {
            throw ApiException.notFound("There is no workspace '" + name + "'.");
        }
        access.authorize(caller, ws.name(), right);
        return ws;
    }

    @RequestMapping(value = {"/files/{workspace}", "/files/{workspace}/**"}, method = {RequestMethod.GET, RequestMethod.HEAD})
    public void get(HttpServletRequest request, HttpServletResponse response) throws IOException {
        answer(() -> {
            FileApiAccess.Caller caller = access.authenticate(request);
            Workspace ws = workspace(request, caller, FileApiAccess.Right.READ);
            WorkspacePath path = RequestPaths.after(request, 2);
            FileInfo info = ws.storage().stat(path);
            if (info.isDirectory()) {
                if ("HEAD".equals(request.getMethod())) {
                    response.setStatus(200);
                    response.setContentType("application/json");
                    return;
                }
                Listing listing = ws.storage().list(path, maxEntries);
                String base = request.getContextPath() + PREFIX + RequestPaths.encode(ws.name()) + "/"
                        + (path.isRoot() ? "" : RequestPaths.encode(path.toString()) + "/");
                ListingResponder.send(request, response, path.toString(), listing, base, false);
                return;
            }
            FileResponder.send(request, response, ws.storage(), path, FileResponder.Disposition.NONE, () -> {
            });
        });
    }

    @RequestMapping(value = "/files/{workspace}/**", method = RequestMethod.PUT)
    public void put(HttpServletRequest request, HttpServletResponse response) throws IOException {
        answer(() -> {
            FileApiAccess.Caller caller = access.authenticate(request);
            Workspace ws = workspace(request, caller, FileApiAccess.Right.WRITE);
            WorkspacePath path = RequestPaths.after(request, 2);
            if (path.isRoot()) {
                throw ApiException.invalid("Name a file to write, e.g. PUT /files/" + ws.name() + "/docs/notes.md.");
            }
            if (request.getRequestURI().endsWith("/")) {
                boolean existed = ws.storage().find(path).isPresent();
                writes.createDirectory(actor(request, caller), ws, path);
                response.setStatus(existed ? 200 : 201);
                json(response, Map.of("path", path.toString(), "type", "directory"));
                return;
            }
            WorkspaceWrites.Actor actor = actor(request, caller);
            writes.checkUnlocked(actor, ws, path);
            Precondition precondition = precondition(request, ws, path);
            boolean existed = ws.storage().find(path).isPresent();
            WriteOptions options = new WriteOptions(precondition, Math.max(-1, request.getContentLengthLong()));
            FileInfo written = writes.write(actor, ws, path, request.getInputStream(), options);
            response.setStatus(existed ? 200 : 201);
            response.setHeader("ETag", FileResponder.quote(written.etag()));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("path", written.path().toString());
            body.put("size", written.size());
            body.put("etag", written.etag());
            json(response, body);
        });
    }

    @RequestMapping(value = "/files/{workspace}/**", method = RequestMethod.DELETE)
    public void delete(HttpServletRequest request, HttpServletResponse response) throws IOException {
        answer(() -> {
            FileApiAccess.Caller caller = access.authenticate(request);
            Workspace ws = workspace(request, caller, FileApiAccess.Right.WRITE);
            WorkspacePath path = RequestPaths.after(request, 2);
            if (path.isRoot()) {
                throw ApiException.invalid("The workspace root cannot be deleted; name a file or directory inside it.");
            }
            if (request.getHeader("If-None-Match") != null) {
                throw ApiException.invalid("DELETE takes If-Match, not If-None-Match.");
            }
            writes.delete(actor(request, caller), ws, path, precondition(request, ws, path));
            response.setStatus(204);
        });
    }

    /** If-Match: ETAG (that version only), If-Match: * (must exist), If-None-Match: * (must not exist). */
    private static Precondition precondition(HttpServletRequest request, Workspace ws, WorkspacePath path) {
        String ifMatch = request.getHeader("If-Match");
        String ifNoneMatch = request.getHeader("If-None-Match");
        if (ifMatch != null && ifNoneMatch != null) {
            throw ApiException.invalid("Send If-Match or If-None-Match, not both.");
        }
        if (ifNoneMatch != null) {
            if (!ifNoneMatch.strip().equals("*")) {
                throw ApiException.invalid("If-None-Match on a write must be '*' (create only).");
            }
            return Precondition.absent();
        }
        if (ifMatch == null) {
            return Precondition.none();
        }
        String value = ifMatch.strip();
        if (value.equals("*")) {
            Optional<FileInfo> current = ws.storage().find(path);
            if (current.isEmpty() || !current.get().isFile()) {
                throw ApiException.preconditionFailed("'" + path + "' does not exist (If-Match: *).");
            }
            return Precondition.etag(current.get().etag());
        }
        if (value.contains(",")) {
            throw ApiException.invalid("If-Match must name exactly one etag.");
        }
        if (FileResponder.unquote(value).isEmpty()) {
            throw ApiException.invalid("If-Match names an empty etag.");
        }
        return Precondition.etag(value);
    }

    private static void json(HttpServletResponse response, Object body) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        JSON.writeValue(response.getOutputStream(), body);
    }
}
