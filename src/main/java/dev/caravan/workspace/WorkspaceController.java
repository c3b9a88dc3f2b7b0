package dev.caravan.workspace;

import dev.caravan.tool.ToolFailure;
import dev.caravan.web.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Workspaces in the admin API (behind the admin token like all of /admin/**): {@code GET /admin/api/workspaces},
 * {@code POST} to create one at runtime, {@code DELETE /{name}[?purge=true]} for runtime-created ones,
 * {@code PUT /{name}/owner} to set an owner, and {@code GET /admin/api/workspaces-file} for whether
 * {@code workspaces.yaml} was applied (and why not).
 */
@RestController
@RequestMapping("/admin/api")
public class WorkspaceController {
    private static final Set<String> TOP = Set.of("name", "backend", "description", "owner", "options");

    private final Workspaces workspaces;
    private final WorkspacesFile file;
    private final RuntimeWorkspaces runtime;
    private final Ownership ownership;

    public WorkspaceController(Workspaces workspaces, WorkspacesFile file, RuntimeWorkspaces runtime,
                               Ownership ownership) {
        this.workspaces = workspaces;
        this.file = file;
        this.runtime = runtime;
        this.ownership = ownership;
    }

    /**
     * Never a secret: S3 credentials are shown as the ${ENV} references they were declared with.
     *
     * @param source "file" (workspaces.yaml) or "api" (created at runtime)
     * @param owner  the owner principal, or "admin"
     * @param grants other principals with full access
     */
    public record View(String name, String backend, String description, String location, int versionsKept,
                       String source, String owner, List<String> grants) {
    }

    public record OwnerRequest(String owner) {
    }

    @GetMapping("/workspaces")
    public List<View> list() {
        Map<String, String> owners = ownership.owners();
        return workspaces.all().stream().map(w -> new View(w.name(), w.backend(), w.config().description(),
                location(w.config()), w.storage().keep(), workspaces.isStored(w.name()) ? "api" : "file",
                owners.getOrDefault(w.name(), Ownership.ADMIN), ownership.grants(w.name()))).toList();
    }

    /**
     * Creates a workspace: {@code {"name":"team","backend":"s3","description":"...","owner":"sales/bot",
     * "options":{"bucket":"...","access-key-id":"${KEY}","secret-access-key":"${SECRET}"}}}; options are the keys
     * of workspaces.yaml (local: root, versions, max-file-size; s3: bucket, prefix, region, endpoint, ...).
     */
    @PostMapping("/workspaces")
    public ResponseEntity<View> create(@RequestBody Map<String, Object> body) {
        if (body == null || body.get("name") == null) {
            throw ApiException.invalid("Give the workspace a name, e.g. {\"name\":\"team\",\"backend\":\"local\"}");
        }
        for (String key : body.keySet()) {
            if (!TOP.contains(key)) {
                throw ApiException.invalid("Unknown field '" + key + "' (known: name, backend, description, "
                        + "owner, options)");
            }
        }
        Map<String, Object> declaration = new LinkedHashMap<>();
        declaration.put("name", body.get("name"));
        if (body.get("backend") != null) {
            declaration.put("backend", body.get("backend"));
        }
        if (body.get("description") != null) {
            declaration.put("description", body.get("description"));
        }
        if (body.get("options") instanceof Map<?, ?> options) {
            options.forEach((k, v) -> {
                if (declaration.containsKey(String.valueOf(k))) {
                    throw ApiException.invalid("options must not repeat '" + k + "'");
                }
                declaration.put(String.valueOf(k), v);
            });
        } else if (body.get("options") != null) {
            throw ApiException.invalid("options must be an object of workspaces.yaml keys");
        }
        Object owner = body.get("owner");
        WorkspaceConfig created = runtime.create(declaration, owner == null ? null : String.valueOf(owner), "admin");
        return ResponseEntity.status(HttpStatus.CREATED).body(view(created.name()));
    }

    /** Deletes a runtime-created workspace; its files stay unless {@code purge=true} (local, under the data dir). */
    @DeleteMapping("/workspaces/{name}")
    public ResponseEntity<Void> delete(@PathVariable String name, @RequestParam(defaultValue = "false") boolean purge) {
        runtime.delete(name, purge);
        return ResponseEntity.noContent().build();
    }

    /** Sets the owner ({@code null} or "admin": the administrator's); voids the workspace's claim tokens. */
    @PutMapping("/workspaces/{name}/owner")
    public View setOwner(@PathVariable String name, @RequestBody OwnerRequest body) {
        if (workspaces.all().stream().noneMatch(w -> w.name().equals(name))) {
            throw ApiException.notFound("No workspace named '" + name + "'");
        }
        String owner = body == null || body.owner() == null || Ownership.ADMIN.equals(body.owner()) ? null : body.owner();
        try {
            ownership.assign(name, owner);
        } catch (ToolFailure e) {
            throw ApiException.invalid(e.getMessage());
        }
        return view(name);
    }

    @GetMapping("/workspaces-file")
    public WorkspacesFile.Status fileStatus() {
        return file.status();
    }

    private View view(String name) {
        return list().stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> ApiException.notFound("No workspace named '" + name + "'"));
    }

    private static String location(WorkspaceConfig c) {
        if (c.backend() == WorkspaceConfig.Backend.LOCAL) {
            return c.root() == null ? "DATA_DIR/workspaces/" + c.name() : c.root();
        }
        return "s3://" + c.s3().bucket() + "/" + (c.s3().prefix() == null ? "" : c.s3().prefix())
                + (c.s3().endpoint() == null ? "" : " at " + c.s3().endpoint());
    }
}
