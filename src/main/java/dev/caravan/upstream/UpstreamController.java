package dev.caravan.upstream;

import dev.caravan.web.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * Upstream status in the admin API (behind the admin token like all of /admin/**):
 * {@code GET /admin/api/upstreams}, {@code GET /admin/api/upstreams/{name}},
 * {@code POST /admin/api/upstreams/{name}/reconnect}, and {@code GET /admin/api/upstreams-file} for whether
 * {@code upstreams.yaml} was applied (and why not). Upstreams managed through the API (see {@link ManagedUpstreams}):
 * {@code POST /admin/api/upstreams}, {@code PUT}/{@code PATCH}/{@code DELETE /admin/api/upstreams/{name}},
 * {@code GET /admin/api/upstreams/{name}/declaration} (either source) and {@code GET /admin/api/upstreams-managed}.
 * The body is read as text so that bad JSON gets the same kind of message as a bad file.
 */
@RestController
@RequestMapping("/admin/api")
public class UpstreamController {
    private final Upstreams upstreams;
    private final UpstreamsFile file;
    private final ManagedUpstreams managed;

    public UpstreamController(Upstreams upstreams, UpstreamsFile file, ManagedUpstreams managed) {
        this.upstreams = upstreams;
        this.file = file;
        this.managed = managed;
    }

    @PostMapping("/upstreams")
    public ResponseEntity<ManagedUpstreams.View> create(@RequestBody(required = false) String body) {
        return ResponseEntity.status(HttpStatus.CREATED).body(managed.create(body));
    }

    @PutMapping("/upstreams/{name}")
    public ManagedUpstreams.View replace(@PathVariable String name, @RequestBody(required = false) String body) {
        return managed.replace(name, body);
    }

    @PatchMapping("/upstreams/{name}")
    public ManagedUpstreams.View patch(@PathVariable String name, @RequestBody(required = false) String body) {
        return managed.patch(name, body);
    }

    @DeleteMapping("/upstreams/{name}")
    public ResponseEntity<Void> delete(@PathVariable String name) {
        managed.delete(name);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/upstreams/{name}/declaration")
    public ManagedUpstreams.View declaration(@PathVariable String name) {
        return managed.view(name).orElseThrow(() -> notFound(name));
    }

    @GetMapping("/upstreams-managed")
    public List<ManagedUpstreams.View> managed() {
        return managed.managed();
    }

    @GetMapping("/upstreams")
    public List<UpstreamStatus> list() {
        return upstreams.statuses();
    }

    @GetMapping("/upstreams/{name}")
    public UpstreamStatus one(@PathVariable String name) {
        UpstreamStatus status = upstreams.status(name);
        if (status == null) {
            throw notFound(name);
        }
        return status;
    }

    @PostMapping("/upstreams/{name}/reconnect")
    public ResponseEntity<UpstreamStatus> reconnect(@PathVariable String name) {
        if (!upstreams.reconnect(name)) {
            throw notFound(name);
        }
        return ResponseEntity.accepted().body(upstreams.status(name));
    }

    @GetMapping("/upstreams-file")
    public UpstreamsFile.Status fileStatus() {
        return file.status();
    }

    private static ApiException notFound(String name) {
        return ApiException.notFound("No upstream named '" + name + "'; upstreams are declared in "
                + "connectors/upstreams.yaml or created with POST /admin/api/upstreams");
    }
}
