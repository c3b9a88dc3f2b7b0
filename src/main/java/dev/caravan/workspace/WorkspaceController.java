package dev.caravan.workspace;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * Workspaces in the admin API (behind the admin token like all of /admin/**): {@code GET /admin/api/workspaces}
 * and {@code GET /admin/api/workspaces-file} for whether {@code workspaces.yaml} was applied (and why not).
 * Creating workspaces here (and the {@code workspace_create} tool) is a later slice of issue 3.
 */
@RestController
@RequestMapping("/admin/api")
public class WorkspaceController {
    private final Workspaces workspaces;
    private final WorkspacesFile file;

    public WorkspaceController(Workspaces workspaces, WorkspacesFile file) {
        this.workspaces = workspaces;
        this.file = file;
    }

    /** Never a secret: S3 credentials are shown as the ${ENV} references they were declared with. */
    public record View(String name, String backend, String description, String location, int versionsKept) {
    }

    @GetMapping("/workspaces")
    public List<View> list() {
        return workspaces.all().stream().map(w -> new View(w.name(), w.backend(), w.config().description(),
                location(w.config()), w.storage().keep())).toList();
    }

    @GetMapping("/workspaces-file")
    public WorkspacesFile.Status fileStatus() {
        return file.status();
    }

    private static String location(WorkspaceConfig c) {
        if (c.backend() == WorkspaceConfig.Backend.LOCAL) {
            return c.root() == null ? "DATA_DIR/workspaces/" + c.name() : c.root();
        }
        return "s3://" + c.s3().bucket() + "/" + (c.s3().prefix() == null ? "" : c.s3().prefix())
                + (c.s3().endpoint() == null ? "" : " at " + c.s3().endpoint());
    }
}
