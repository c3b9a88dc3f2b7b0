package dev.caravan.imports;

import dev.caravan.web.ApiException;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.storage.StorageException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/**
 * {@code /admin/api/imports} behind the admin token: POST starts an import ({@code workspace, url, path, provider,
 * onConflict, format, password}; 202 with the job), GET lists every job newest first, GET /{id} shows one, DELETE /{id} cancels it.
 * Jobs started here are the principal {@code admin}'s.
 */
@RestController
@RequestMapping("/admin/api/imports")
public class ImportsController {
    private final ImportJobs jobs;
    private final Workspaces workspaces;

    public ImportsController(ImportJobs jobs, Workspaces workspaces) {
        this.jobs = jobs;
        this.workspaces = workspaces;
    }

    @PostMapping
    public ResponseEntity<Map<String, Object>> start(@RequestBody Map<String, Object> body) {
        String workspace = string(body, "workspace");
        if (workspace == null || workspaces.all().stream().noneMatch(w -> w.name().equals(workspace))) {
            throw ApiException.invalid(workspace == null ? "Give the workspace to import into."
                    : "There is no workspace '" + workspace + "'.");
        }
        try {
            ImportJob job = jobs.submit(new ImportJobs.Request(workspace, string(body, "url"), string(body, "path"),
                    string(body, "provider"), string(body, "onConflict"), string(body, "format"),
                    string(body, "password")), "admin", null);
            return ResponseEntity.status(HttpStatus.ACCEPTED).body(ImportView.of(job));
        } catch (ImportFailure | StorageException e) {
            throw ApiException.invalid(e.getMessage());
        }
    }

    @GetMapping
    public List<Map<String, Object>> list(@RequestParam(required = false) Integer limit) {
        int n = limit == null ? 100 : Math.max(1, Math.min(limit, 1000));
        return jobs.list(null, n).stream().map(ImportView::of).toList();
    }

    @GetMapping("/{id}")
    public Map<String, Object> get(@PathVariable String id) {
        return ImportView.of(jobs.find(id).orElseThrow(() -> ApiException.notFound("No import job '" + id + "'.")));
    }

    @DeleteMapping("/{id}")
    public Map<String, Object> cancel(@PathVariable String id) {
        return ImportView.of(jobs.cancel(id).orElseThrow(() -> ApiException.notFound("No import job '" + id + "'.")));
    }

    private static String string(Map<String, Object> body, String name) {
        Object v = body.get(name);
        if (v != null && !(v instanceof String)) {
            throw ApiException.invalid("'" + name + "' must be a string.");
        }
        return (String) v;
    }
}
