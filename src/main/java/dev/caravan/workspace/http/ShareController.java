package dev.caravan.workspace.http;

import dev.caravan.web.ApiException;
import dev.caravan.web.ApiProblem;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.workspace.Workspace;
import dev.caravan.workspace.WorkspaceProperties;
import dev.caravan.workspace.share.ShareDenied;
import dev.caravan.workspace.share.SharePermission;
import dev.caravan.workspace.share.ShareRecord;
import dev.caravan.workspace.share.Shares;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.PathRejectedException;
import dev.caravan.workspace.lock.LockedException;
import dev.caravan.workspace.storage.Precondition;
import dev.caravan.workspace.storage.StorageException;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.storage.WriteOptions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.tomcat.util.http.fileupload.FileItemIterator;
import org.apache.tomcat.util.http.fileupload.FileItemStream;
import org.apache.tomcat.util.http.fileupload.FileUploadException;
import org.apache.tomcat.util.http.fileupload.FileUpload;
import org.apache.tomcat.util.http.fileupload.InvalidFileNameException;
import org.apache.tomcat.util.http.fileupload.servlet.ServletRequestContext;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Serves share links, {@code /s/TOKEN[/PATH]}. A file share sends its file (inline for view, as an attachment for
 * download); a folder share lists the folder (JSON, or HTML for browsers) and sends files inside it; an upload
 * share takes new files ({@code PUT /s/TOKEN/NAME}, or a multipart POST to the link) and never replaces one.
 * Every request checks the link in the database (so revoking works at once, on every node); a password comes as
 * HTTP Basic authentication (any user name) or the {@code X-Share-Password} header, never in the URL.
 */
@Controller
public class ShareController {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Shares shares;
    private final WorkspaceWrites writes;
    private final int maxEntries;

    public ShareController(Shares shares, WorkspaceWrites writes, WorkspaceProperties properties) {
        this.shares = shares;
        this.writes = writes;
        this.maxEntries = properties.getMaxEntries();
    }

    private interface Handler {
        void handle() throws IOException;
    }

    /** Share, storage and lock failures become {@link ApiException}s, answered by {@code ApiProblemAdvice}. */
    private static void answer(Handler handler) throws IOException {
        try {
            handler.handle();
        } catch (ShareDenied e) {
            ApiException answer = new ApiException(ApiProblem.forStatus(e.status()), e.getMessage());
            if (e.status() == 401) {
                answer.withHeader("WWW-Authenticate", "Basic realm=\"caravan-share\", charset=\"UTF-8\"");
            }
            throw answer;
        } catch (StorageException e) {
            throw HttpErrors.of(e, ApiProblem.CONFLICT);
        } catch (LockedException e) {
            throw ApiException.locked("The folder is locked for changes right now; try again later.");
        }
    }

    /** The share, checked: usable, password right. */
    private ShareRecord open(HttpServletRequest request) {
        return shares.open(RequestPaths.segment(request, 1), password(request));
    }

    static String password(HttpServletRequest request) {
        String header = request.getHeader("X-Share-Password");
        if (header != null) {
            return header;
        }
        String auth = request.getHeader("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(auth.substring(6).strip()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 ? decoded : decoded.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                return "";
            }
        }
        return null;
    }

    /** The workspace path a request names inside the share; a file share has nothing inside it. */
    private static WorkspacePath target(HttpServletRequest request, ShareRecord share) {
        WorkspacePath inside = RequestPaths.after(request, 2);
        if (!share.folder() && !inside.isRoot()) {
            throw ApiException.notFound("This link shares a single file; there is nothing inside it.");
        }
        return WorkspacePath.of(share.path()).resolve(inside);
    }

    /** The link path of the shared folder's directory {@code inside}, ending in '/', for HTML links and forms. */
    private static String linkBase(HttpServletRequest request, WorkspacePath inside) {
        return request.getContextPath() + Shares.PATH_PREFIX + RequestPaths.segment(request, 1) + "/"
                + (inside.isRoot() ? "" : RequestPaths.encode(inside.toString()) + "/");
    }

    @RequestMapping(value = {"/s/{token}", "/s/{token}/**"}, method = {RequestMethod.GET, RequestMethod.HEAD})
    public void get(HttpServletRequest request, HttpServletResponse response) throws IOException {
        answer(() -> {
            ShareRecord share = open(request);
            Workspace ws = shares.workspaceOf(share);
            if (!share.permission().reads()) {
                if (!RequestPaths.after(request, 2).isRoot()) {
                    throw ApiException.forbidden("This link only accepts uploads; it does not show files.");
                }
                if (ListingResponder.wantsHtml(request)) {
                    ListingResponder.uploadPage(response, linkBase(request, WorkspacePath.ROOT));
                } else {
                    json(response, 200, Map.of("upload", true, "howTo", "PUT the file to this link followed by "
                            + "/NAME, or POST it as multipart/form-data to this link. Existing names are refused."));
                }
                return;
            }
            WorkspacePath path = target(request, share);
            FileInfo info = ws.storage().find(path).orElseThrow(() -> ApiException.notFound(share.folder()
                    ? "There is no such file in this shared folder." : "The shared file no longer exists."));
            if (info.isDirectory() && !share.folder()) {
                throw ApiException.notFound("The shared file no longer exists.");
            }
            if (info.isDirectory()) {
                if ("HEAD".equals(request.getMethod())) {
                    response.setStatus(200);
                    return;
                }
                WorkspacePath inside = path.relativeTo(WorkspacePath.of(share.path()));
                ListingResponder.send(request, response, inside.toString(), ws.storage().list(path, maxEntries),
                        linkBase(request, inside), false);
                return;
            }
            FileResponder.send(request, response, ws.storage(), path, share.permission() == SharePermission.VIEW
                    ? FileResponder.Disposition.INLINE : FileResponder.Disposition.ATTACHMENT, () -> shares.consumeUse(share));
        });
    }

    @RequestMapping(value = "/s/{token}/**", method = RequestMethod.PUT)
    public void put(HttpServletRequest request, HttpServletResponse response) throws IOException {
        answer(() -> {
            ShareRecord share = uploadShare(request);
            Workspace ws = shares.workspaceOf(share);
            WorkspacePath path = target(request, share);
            if (path.equals(WorkspacePath.of(share.path()))) {
                throw ApiException.invalid("Name the file: PUT to this link followed by /NAME.");
            }
            FileInfo written = upload(share, ws, path, request.getInputStream(), request.getContentLengthLong());
            json(response, 201, Map.of("name", path.relativeTo(WorkspacePath.of(share.path())).toString(),
                    "size", written.size()));
        });
    }

    @RequestMapping(value = {"/s/{token}", "/s/{token}/**"}, method = RequestMethod.POST)
    public void post(HttpServletRequest request, HttpServletResponse response) throws IOException {
        answer(() -> {
            ShareRecord share = uploadShare(request);
            Workspace ws = shares.workspaceOf(share);
            WorkspacePath folder = target(request, share);
            if (request.getContentType() == null
                    || !request.getContentType().toLowerCase(Locale.ROOT).startsWith("multipart/")) {
                throw ApiException.invalid("POST the files as multipart/form-data, or PUT each one to this link + /NAME.");
            }
            List<Map<String, Object>> stored = new ArrayList<>();
            try {
                // Tomcat's own streaming multipart parser: each part goes straight to storage, none is buffered.
                FileItemIterator parts = new FileUpload().getItemIterator(new ServletRequestContext(request));
                while (parts.hasNext()) {
                    FileItemStream part = parts.next();
                    if (part.isFormField() || part.getName() == null || part.getName().isEmpty()) {
                        continue;
                    }
                    WorkspacePath path = folder.child(baseName(part.getName()));
                    FileInfo written = upload(share, ws, path, part.openStream(), -1);
                    stored.add(Map.of("name", path.relativeTo(WorkspacePath.of(share.path())).toString(),
                            "size", written.size()));
                }
            } catch (InvalidFileNameException e) {
                // Thrown for a file name holding NUL; its message would echo the name back.
                throw ApiException.invalid("An uploaded file's name contains a NUL character; rename the file and send it again.");
            } catch (FileUploadException e) {
                throw ApiException.invalid("The multipart body could not be read; send it again.");
            }
            if (stored.isEmpty()) {
                throw ApiException.invalid("The request carried no file.");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("uploaded", stored);
            json(response, 201, body);
        });
    }

    private ShareRecord uploadShare(HttpServletRequest request) {
        ShareRecord share = open(request);
        if (share.permission() != SharePermission.UPLOAD) {
            throw ApiException.forbidden("This link does not accept uploads.");
        }
        return share;
    }

    /** Creates a file, never replacing one: a taken name is refused before a use is counted. */
    private FileInfo upload(ShareRecord share, Workspace ws, WorkspacePath path, InputStream body, long size) {
        Optional<FileInfo> existing = ws.storage().find(path);
        if (existing.isPresent()) {
            throw ApiException.conflict("'" + path.relativeTo(WorkspacePath.of(share.path()))
                    + "' exists already; choose another name.");
        }
        shares.consumeUse(share);
        return writes.write(new WorkspaceWrites.Actor("share:" + share.id(), null, List.of()), ws, path, body,
                new WriteOptions(Precondition.absent(), Math.max(-1, size)));
    }

    /** Browsers may send a client-side path as the file name; keep the last part only. */
    private static String baseName(String name) {
        String n = name.replace('\\', '/');
        n = n.substring(n.lastIndexOf('/') + 1);
        if (n.isEmpty()) {
            throw new PathRejectedException("An uploaded file has no name.");
        }
        return n;
    }

    private static void json(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        JSON.writeValue(response.getOutputStream(), body);
    }
}
