package dev.caravan.imports;

import dev.caravan.tool.ToolFailure;
import dev.caravan.web.ApiException;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.http.FileApiAccess;
import dev.caravan.workspace.storage.StorageException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/**
 * URL import for the HTTP file API's users, with the same tokens (the admin token or an endpoint's token, whose
 * endpoint must publish write_file to start one): {@code POST /imports} with
 * {@code {"workspace", "url", "path"?, "provider"?, "onConflict"?, "format"?, "password"?}} answers 202 with the job and
 * {@code Location: /imports/ID}; {@code GET /imports} lists the caller's jobs, {@code GET /imports/ID} follows one and
 * {@code DELETE} cancels it. A job is its starter's: another token gets 404. Drive imports use the token's
 * principal's connections (the same principal as its MCP calls).
 */
@RestController
public class FileApiImports {
    private final ImportJobs jobs;
    private final Workspaces workspaces;
    private final FileApiAccess access;

    public FileApiImports(ImportJobs jobs, Workspaces workspaces, FileApiAccess access) {
        this.jobs = jobs;
        this.workspaces = workspaces;
        this.access = access;
    }

    @PostMapping("/imports")
    public ResponseEntity<Map<String, Object>> start(@RequestBody(required = false) Map<String, Object> body,
                                                     HttpServletRequest request) {
        FileApiAccess.Caller caller = authenticated(request);
        if (body == null) {
            throw ApiException.invalid("Send a JSON body {\"workspace\", \"url\", \"path\"} naming what to import.");
        }
        String workspace = string(body, "workspace");
        if (workspace == null || workspace.isBlank()) {
            throw ApiException.invalid("Give the workspace to import into.");
        }
        try {
            workspaces.get(workspace);
        } catch (ToolFailure e) {
            throw ApiException.notFound("There is no workspace '" + workspace + "'.");
        }
        access.authorize(caller, workspace, FileApiAccess.Right.WRITE);
        try {
            ImportJob job = jobs.submit(new ImportJobs.Request(workspace, string(body, "url"), string(body, "path"),
                    string(body, "provider"), string(body, "onConflict"), string(body, "format"),
                    string(body, "password")), caller.name(),
                    caller.who() == null ? null : caller.who().endpoint());
            return ResponseEntity.status(HttpStatus.ACCEPTED).header("Location", "/imports/" + job.id())
                    .body(ImportView.of(job));
        } catch (ImportFailure | StorageException e) {
            throw ApiException.invalid(e.getMessage());
        }
    }

    @GetMapping("/imports")
    public Map<String, Object> list(HttpServletRequest request) {
        FileApiAccess.Caller caller = authenticated(request);
        return Map.of("jobs", jobs.list(caller.name(), 100).stream().map(ImportView::of).toList());
    }

    @GetMapping("/imports/{id}")
    public Map<String, Object> status(@PathVariable String id, HttpServletRequest request) {
        return ImportView.of(own(id, authenticated(request)));
    }

    @DeleteMapping("/imports/{id}")
    public Map<String, Object> cancel(@PathVariable String id, HttpServletRequest request) {
        FileApiAccess.Caller caller = authenticated(request);
        ImportJob job = own(id, caller);
        access.authorize(caller, job.workspace(), FileApiAccess.Right.WRITE);
        return ImportView.of(jobs.cancel(job.id()).orElse(job));
    }

    private FileApiAccess.Caller authenticated(HttpServletRequest request) {
        try {
            return access.authenticate(request);
        } catch (ApiException e) {
            throw e.withHeader("WWW-Authenticate", "Bearer realm=\"caravan-files\"");
        }
    }

    private ImportJob own(String id, FileApiAccess.Caller caller) {
        return jobs.find(id).filter(j -> j.principal().equals(caller.name()))
                .orElseThrow(() -> ApiException.notFound("There is no import job '" + id + "' of yours."));
    }

    private static String string(Map<String, Object> body, String name) {
        Object v = body.get(name);
        if (v != null && !(v instanceof String)) {
            throw ApiException.invalid("'" + name + "' must be a string.");
        }
        return (String) v;
    }
}
