package dev.caravan.upstream;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/**
 * Upstream status in the admin API (behind the admin token like all of /admin/**):
 * {@code GET /admin/api/upstreams}, {@code GET /admin/api/upstreams/{name}},
 * {@code POST /admin/api/upstreams/{name}/reconnect}, and {@code GET /admin/api/upstreams-file} for whether
 * {@code upstreams.yaml} was applied (and why not).
 */
@RestController
@RequestMapping("/admin/api")
public class UpstreamController {
    private final Upstreams upstreams;
    private final UpstreamsFile file;

    public UpstreamController(Upstreams upstreams, UpstreamsFile file) {
        this.upstreams = upstreams;
        this.file = file;
    }

    @GetMapping("/upstreams")
    public List<UpstreamStatus> list() {
        return upstreams.statuses();
    }

    @GetMapping("/upstreams/{name}")
    public ResponseEntity<?> one(@PathVariable String name) {
        UpstreamStatus status = upstreams.status(name);
        return status == null ? notFound(name) : ResponseEntity.ok(status);
    }

    @PostMapping("/upstreams/{name}/reconnect")
    public ResponseEntity<?> reconnect(@PathVariable String name) {
        return upstreams.reconnect(name) ? ResponseEntity.accepted().body(upstreams.status(name)) : notFound(name);
    }

    @GetMapping("/upstreams-file")
    public UpstreamsFile.Status fileStatus() {
        return file.status();
    }

    private static ResponseEntity<Map<String, String>> notFound(String name) {
        return ResponseEntity.status(404).body(Map.of("error", "not_found",
                "message", "No upstream named '" + name + "'; upstreams are declared in connectors/upstreams.yaml"));
    }
}
