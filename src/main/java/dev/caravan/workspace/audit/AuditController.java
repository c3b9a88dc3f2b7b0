package dev.caravan.workspace.audit;

import dev.caravan.web.ApiException;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;

/**
 * {@code GET /admin/api/audit}: the audit trail, newest first, behind the admin token like all of /admin/**.
 * Query parameters as the audit_search tool's arguments: workspace, principal, operation, path (prefix), outcome,
 * since, until (ISO-8601 or an age such as 24h), limit (default 50, capped).
 */
@RestController
@RequestMapping("/admin/api")
public class AuditController {
    private final AuditTrail trail;
    private final AuditProperties properties;

    public AuditController(AuditTrail trail, AuditProperties properties) {
        this.trail = trail;
        this.properties = properties;
    }

    @GetMapping("/audit")
    public ResponseEntity<?> search(@RequestParam(required = false) String workspace,
                                    @RequestParam(required = false) String principal,
                                    @RequestParam(required = false) String operation,
                                    @RequestParam(required = false) String path,
                                    @RequestParam(required = false) String outcome,
                                    @RequestParam(required = false) String since,
                                    @RequestParam(required = false) String until,
                                    @RequestParam(required = false) Integer limit) {
        try {
            Instant now = Instant.now();
            AuditQuery query = new AuditQuery(workspace, principal, operation, AuditFilters.path(path), outcome,
                    AuditFilters.time("since", since, now), AuditFilters.time("until", until, now),
                    AuditFilters.limit(limit, properties.getMaxResults()));
            return ResponseEntity.ok(trail.search(query));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(e.getMessage());
        }
    }
}
